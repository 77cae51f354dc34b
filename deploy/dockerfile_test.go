package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/bot"
)

// No Docker engine runs where these tests run, so the Dockerfile is read,
// not built: its stages, base images, user and entrypoint are checked
// against go.mod and the manifests, and its go build line is run as it
// stands (same environment and flags) to prove the binary it makes is
// static, stripped and starts.
//
// The Dockerfile is parsed by hand, not with moby/buildkit's parser: that
// module requires some 230 others and would move dependencies every other
// package shares, for a 50-line file that uses a fixed handful of
// instructions. parseDockerfile handles what this file can hold (comments,
// parser directives, backslash continuations, exec-form JSON) and refuses
// any instruction it does not know, so it cannot misread silently.

const dockerfile = "Dockerfile"

type instruction struct {
	line  int
	cmd   string   // upper case: FROM, RUN...
	flags []string // --platform=..., --from=..., --mount=...
	args  string   // the rest, continuations joined
}

type stage struct {
	image, name string
	insts       []instruction
}

var knownInstructions = []string{"FROM", "ARG", "ENV", "WORKDIR", "COPY", "RUN", "LABEL", "USER", "EXPOSE", "ENTRYPOINT", "CMD"}

func parseDockerfile(t *testing.T, name string) []stage {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var insts []instruction
	var cur *instruction
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue // comments may sit inside a continued instruction too
		}
		cont := strings.HasSuffix(trimmed, `\`)
		trimmed = strings.TrimSuffix(trimmed, `\`)
		if cur == nil {
			cmd, rest, _ := strings.Cut(trimmed, " ")
			cur = &instruction{line: n, cmd: strings.ToUpper(cmd), args: rest}
			if !slices.Contains(knownInstructions, cur.cmd) {
				t.Fatalf("%s:%d: instruction %s is not one this test knows: extend parseDockerfile", name, n, cmd)
			}
		} else {
			cur.args += " " + trimmed
		}
		if !cont {
			insts = append(insts, *cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: the file ends inside a continued instruction", name, cur.line)
	}
	var stages []stage
	for _, in := range insts {
		fields := strings.Fields(in.args)
		for len(fields) > 0 && strings.HasPrefix(fields[0], "--") {
			in.flags = append(in.flags, fields[0])
			fields = fields[1:]
		}
		in.args = strings.Join(fields, " ")
		if in.cmd == "FROM" {
			s := stage{image: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				s.name = fields[2]
			} else if len(fields) != 1 {
				t.Fatalf("%s:%d: FROM %s: want IMAGE [AS NAME]", name, in.line, in.args)
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s:%d: %s before the first FROM", name, in.line, in.cmd)
			}
			continue
		}
		stages[len(stages)-1].insts = append(stages[len(stages)-1].insts, in)
	}
	return stages
}

func (s stage) find(cmd string) []instruction {
	var out []instruction
	for _, in := range s.insts {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func flagValue(flags []string, name string) string {
	for _, f := range flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// execForm decodes an instruction's JSON (exec) form.
func execForm(t *testing.T, in instruction) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(in.args), &v); err != nil {
		t.Fatalf("%s:%d: %s %s is not in exec form (a JSON array): %v", dockerfile, in.line, in.cmd, in.args, err)
	}
	return v
}

// goBuild is the build stage's go build command line, split as the shell
// would split it: the VAR=value words before it, and its arguments.
type goBuild struct {
	env  []string
	args []string // after "go build"
	out  string   // the -o path
}

func findGoBuild(t *testing.T, s stage) goBuild {
	t.Helper()
	for _, in := range s.find("RUN") {
		words := shellWords(t, in.args)
		i := slices.Index(words, "go")
		if i < 0 || i+1 >= len(words) || words[i+1] != "build" {
			continue
		}
		g := goBuild{args: words[i+2:]}
		for _, w := range words[:i] {
			if !regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`).MatchString(w) {
				t.Fatalf("%s:%d: %q before go build: only VAR=value assignments are expected there", dockerfile, in.line, w)
			}
			g.env = append(g.env, w)
		}
		if j := slices.Index(g.args, "-o"); j >= 0 && j+1 < len(g.args) {
			g.out = g.args[j+1]
		}
		return g
	}
	t.Fatalf("no RUN ... go build in stage %s", s.name)
	return goBuild{}
}

// shellWords splits a command line as sh does for what the Dockerfile
// uses: blanks separate words, quotes group and are removed.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				w.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case strings.ContainsRune(";&|<>`", r):
			t.Fatalf("RUN %s: shell syntax %q is more than shellWords reads", s, r)
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("RUN %s: unterminated quote", s)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// goModVersion is go.mod's go line.
func goModVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	return string(m[1])
}

// dockerfileUID is the numeric user the final stage runs as.
func dockerfileUID(t *testing.T) int64 {
	t.Helper()
	stages := parseDockerfile(t, dockerfile)
	users := stages[len(stages)-1].find("USER")
	if len(users) != 1 {
		t.Fatalf("the final stage has %d USER instructions, want 1", len(users))
	}
	u, _, _ := strings.Cut(users[0].args, ":")
	uid, err := strconv.ParseInt(u, 10, 64)
	if err != nil {
		t.Fatalf("USER %s: want a numeric uid[:gid], so runAsNonRoot can check it", users[0].args)
	}
	return uid
}

const (
	distroless = "gcr.io/distroless/static-debian12:nonroot"
	module     = "./cmd/newsletter-bot"
)

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, dockerfile)
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a builder and a final stage", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	withoutDigest := func(image string) string { i, _, _ := strings.Cut(image, "@"); return i }

	t.Run("the builder's Go is go.mod's", func(t *testing.T) {
		m := regexp.MustCompile(`^golang:(\d+\.\d+(?:\.\d+)?)(?:-[a-z0-9]+)?$`).FindStringSubmatch(withoutDigest(build.image))
		if m == nil {
			t.Fatalf("builder image %q, want golang:VERSION[-VARIANT] with a specific version", build.image)
		}
		if want := goModVersion(t); m[1] != want {
			t.Errorf("builder Go %s, want go.mod's %s", m[1], want)
		}
		if build.name == "" {
			t.Errorf("the builder stage has no name (FROM ... AS build)")
		}
	})
	t.Run("the final stage is distroless static nonroot", func(t *testing.T) {
		if withoutDigest(final.image) != distroless {
			t.Errorf("final image %q, want %s", final.image, distroless)
		}
		if uid := dockerfileUID(t); uid == 0 {
			t.Errorf("USER is root")
		} else if uid != 65532 {
			t.Errorf("USER %d, want distroless' nonroot 65532", uid)
		}
	})
	t.Run("modules download in a layer of their own", func(t *testing.T) {
		var order []string
		for _, in := range build.insts {
			switch {
			case in.cmd == "COPY" && in.args == "go.mod go.sum ./":
				order = append(order, "copy go.mod")
			case in.cmd == "RUN" && strings.Contains(in.args, "go mod download"):
				order = append(order, "download")
			case in.cmd == "COPY" && in.args == ". .":
				order = append(order, "copy all")
			}
		}
		if want := []string{"copy go.mod", "download", "copy all"}; !slices.Equal(order, want) {
			t.Errorf("build stage order %v, want %v", order, want)
		}
	})
	g := findGoBuild(t, build)
	t.Run("go build makes a static, trimmed, stripped binary", func(t *testing.T) {
		if !slices.Contains(g.env, "CGO_ENABLED=0") {
			t.Errorf("go build env %v, want CGO_ENABLED=0", g.env)
		}
		for _, want := range []string{"-trimpath", "-ldflags=-s -w", module} {
			if !slices.Contains(g.args, want) {
				t.Errorf("go build %q lacks %q", g.args, want)
			}
		}
		if g.out == "" {
			t.Errorf("go build %q has no -o", g.args)
		}
	})
	t.Run("the entrypoint is the built binary, serving", func(t *testing.T) {
		var dst string
		for _, in := range final.find("COPY") {
			if from := flagValue(in.flags, "from"); from == build.name {
				src, d, _ := strings.Cut(in.args, " ")
				if src != g.out {
					t.Errorf("COPY --from=%s %s, want the go build output %s", from, src, g.out)
				}
				dst = d
			}
		}
		eps := final.find("ENTRYPOINT")
		if len(eps) != 1 {
			t.Fatalf("%d ENTRYPOINTs, want 1", len(eps))
		}
		if ep := execForm(t, eps[0]); len(ep) != 1 || ep[0] != dst {
			t.Errorf("ENTRYPOINT %q, want [%q], the binary copied from the builder", ep, dst)
		}
		cmds := final.find("CMD")
		if len(cmds) != 1 || !slices.Equal(execForm(t, cmds[0]), []string{"serve"}) {
			t.Errorf("CMD %v, want [\"serve\"]", cmds)
		}
	})
	t.Run("it exposes the bot's port", func(t *testing.T) {
		_, port, _ := net.SplitHostPort(bot.DefaultAddr)
		ex := final.find("EXPOSE")
		if len(ex) != 1 || ex[0].args != port {
			t.Errorf("EXPOSE %v, want %s (bot.DefaultAddr %q)", ex, port, bot.DefaultAddr)
		}
	})
	t.Run("it carries OCI labels", func(t *testing.T) {
		var labels string
		for _, in := range final.find("LABEL") {
			labels += in.args + " "
		}
		for _, l := range []string{"org.opencontainers.image.title=", "org.opencontainers.image.source=", "org.opencontainers.image.version="} {
			if !strings.Contains(labels, l) {
				t.Errorf("no LABEL %s...", l)
			}
		}
	})
	t.Run("the binary built as the Dockerfile builds it is static", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds the binary; skipped with -short")
		}
		bin := buildAsDockerfile(t, g)
		checkStatic(t, bin)
		checkBuildSettings(t, bin)
		checkStarts(t, bin)
	})
}

// buildAsDockerfile runs the Dockerfile's go build line from the module
// root, for this machine's OS and architecture, into a temporary directory.
func buildAsDockerfile(t *testing.T, g goBuild) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "newsletter-bot")
	args := slices.Clone(g.args)
	args[slices.Index(args, "-o")+1] = bin
	env := os.Environ()
	for _, e := range g.env {
		e = strings.NewReplacer("$TARGETOS", runtime.GOOS, "$TARGETARCH", runtime.GOARCH).Replace(e)
		if strings.Contains(e, "$") {
			t.Fatalf("go build env %s: a variable this test does not know", e)
		}
		env = append(env, e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
	cmd.Dir = ".."
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// checkStatic proves with the ELF headers that the binary needs no dynamic
// loader and no shared library, as distroless/static requires.
func checkStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("%s is not ELF: %v", bin, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary has a PT_INTERP program header: it needs a dynamic loader")
		}
		if p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a PT_DYNAMIC program header")
		}
	}
	libs, err := f.ImportedLibraries() // DT_NEEDED
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			t.Errorf("the binary has section %s: -ldflags=\"-s -w\" should have stripped it", s.Name)
		}
	}
}

// checkBuildSettings reads the settings go build records in the binary
// (with -trimpath it leaves -ldflags out; checkStatic saw their effect).
func checkBuildSettings(t *testing.T, bin string) {
	t.Helper()
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range info.Settings {
		got[s.Key] = s.Value
	}
	for k, want := range map[string]string{"CGO_ENABLED": "0", "-trimpath": "true"} {
		if got[k] != want {
			t.Errorf("build setting %s = %q, want %q", k, got[k], want)
		}
	}
	if want := "go" + goModVersion(t); info.GoVersion != want {
		t.Logf("built with %s here; the image builds with go.mod's %s", info.GoVersion, want)
	}
}

// checkStarts runs the binary as the image would with CMD ["serve"] and no
// credentials: it must refuse to start, saying why, not crash.
func checkStarts(t *testing.T, bin string) {
	t.Helper()
	out, err := exec.Command(bin, "help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "serve") {
		t.Errorf("%s help = %v\n%s\nwant a list that has serve, the image's CMD", bin, err, out)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=/nonexistent"}
	out, err = cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), bot.EnvWebhookSecret) {
		t.Errorf("serve without credentials = %v\n%s\nwant exit status 2 naming %s", err, out, bot.EnvWebhookSecret)
	}
}

// TestDockerignore checks .dockerignore against what the build needs: go.mod,
// go.sum, and every Go and embedded file of the packages in the binary, and
// that it keeps out what must not travel (the .git directory, binaries,
// secrets).
func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []*regexp.Regexp
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf(".dockerignore: exception %q: dockerignoreRE does not handle exceptions", line)
		}
		patterns = append(patterns, dockerignoreRE(line))
	}
	excluded := func(p string) bool {
		for dir := p; dir != "."; dir = filepath.Dir(dir) { // a directory excludes what is in it
			for _, re := range patterns {
				if re.MatchString(dir) {
					return true
				}
			}
		}
		return false
	}

	needed := []string{"go.mod", "go.sum"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-json=Dir,GoFiles,EmbedFiles,Module", module)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Dir                 string
			GoFiles, EmbedFiles []string
			Module              *struct{ Main bool }
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || !p.Module.Main {
			continue // the standard library and modules: downloaded in the image
		}
		rel, err := filepath.Rel(root, p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			needed = append(needed, filepath.ToSlash(filepath.Join(rel, f)))
		}
	}
	if len(needed) < 10 {
		t.Fatalf("go list found only %v", needed)
	}
	for _, f := range needed {
		if excluded(f) {
			t.Errorf(".dockerignore excludes %s, which the build needs", f)
		}
	}
	for _, f := range []string{".git/config", "newsletter-bot", "drafts.test", "bot/bot.test", "newsletter-bot.env",
		"deploy/newsletter-bot.env", "key.pem", "node_modules/x/package.json", "internal/githubsim/testdata/npm-cache/x"} {
		if !excluded(f) {
			t.Errorf(".dockerignore lets %s into the build context", f)
		}
	}
}

// dockerignoreRE compiles a .dockerignore pattern as Docker matches it
// (github.com/moby/patternmatcher): relative to the context root, a leading
// or trailing slash ignored, * and ? within one path element, ** across any
// number of them.
func dockerignoreRE(p string) *regexp.Regexp {
	p = strings.Trim(filepath.ToSlash(filepath.Clean(p)), "/")
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
