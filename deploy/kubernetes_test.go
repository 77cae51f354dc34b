package deploy_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/newsletter-bot/newsletter-bot/bot"
)

// The manifests in kubernetes/ are checked two ways: each object against
// the Kubernetes API's own schema of its kind (testdata/k8s-schema, derived
// from the npm package kubernetes-models by fetch.sh, made strict so an
// unknown field fails as the API server's strict field validation fails
// it), and against the bot itself: its port, endpoints, environment
// variables and shutdown grace.

const (
	manifestDir = "kubernetes"
	schemaFile  = "testdata/k8s-schema/schemas.json"
	schemaLoc   = "k8s-schemas.json"
)

// manifest is one object of one file.
type manifest struct {
	file string
	doc  any // as JSON would decode it
}

func (m manifest) kind() string {
	obj, _ := m.doc.(map[string]any)
	return fmt.Sprintf("%v %v", obj["apiVersion"], obj["kind"])
}

// readManifests reads every object of every YAML file in dir.
func readManifests(t *testing.T, dir string, skip ...string) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (%v)", dir, err)
	}
	var out []manifest
	for _, f := range files {
		if slices.Contains(skip, filepath.Base(f)) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := decodeYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, d := range docs {
			out = append(out, manifest{file: filepath.Base(f), doc: d})
		}
	}
	return out
}

// decodeYAML decodes every document of a YAML stream into the values
// encoding/json would give (numbers as json.Number), so the schema
// validator sees what the API server sees. It refuses a plain scalar that
// YAML 1.1, which Kubernetes' decoder speaks, reads as a boolean (yes, on,
// off...) where this decoder reads a string: quote those.
func decodeYAML(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if err := checkYAML11(&node); err != nil {
			return nil, err
		}
		var v any
		if err := node.Decode(&v); err != nil {
			return nil, err
		}
		if v == nil {
			continue // an empty document
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		j, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
}

var yaml11Bool = regexp.MustCompile(`^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$`)

func checkYAML11(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Style == 0 && n.Tag == "!!str" && yaml11Bool.MatchString(n.Value) {
		return fmt.Errorf("line %d: %q is a boolean to Kubernetes' YAML 1.1 decoder: quote it", n.Line, n.Value)
	}
	for _, c := range n.Content {
		if err := checkYAML11(c); err != nil {
			return err
		}
	}
	return nil
}

// k8sSchemas compiles the schema of each kind in schemas.json.
func k8sSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatalf("%v: run deploy/testdata/k8s-schema/fetch.sh", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, fm := range k8sFormats {
		c.RegisterFormat(fm)
	}
	if err := c.AddResource(schemaLoc, doc); err != nil {
		t.Fatal(err)
	}
	kinds, _ := doc.(map[string]any)["kinds"].(map[string]any)
	if len(kinds) == 0 {
		t.Fatalf("%s lists no kinds", schemaFile)
	}
	out := map[string]*jsonschema.Schema{}
	for kind, ptr := range kinds {
		s, err := c.Compile(schemaLoc + ptr.(string))
		if err != nil {
			t.Fatalf("compile %s: %v", kind, err)
		}
		out[kind] = s
	}
	return out
}

// quantityRE is what resource.ParseQuantity accepts: a signed decimal number
// with a binary (Ki..Ei), decimal (n, u, m, k, M..E) or exponent suffix.
var quantityRE = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$`)

// k8sFormats are the OpenAPI formats the schemas use beyond JSON Schema's
// own ("date-time"); "double" constrains nothing a JSON number is not.
var k8sFormats = []*jsonschema.Format{
	{Name: "int32", Validate: intFormat(math.MinInt32, math.MaxInt32)},
	{Name: "int64", Validate: intFormat(math.MinInt64, math.MaxInt64)},
	{Name: "byte", Validate: func(v any) error {
		if s, ok := v.(string); ok {
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				return errors.New("not base64")
			}
		}
		return nil
	}},
	{Name: "quantity", Validate: func(v any) error {
		if s, ok := v.(string); ok && !quantityRE.MatchString(s) {
			return errors.New("not a Kubernetes quantity (such as 500m, 64Mi, 1.5)")
		}
		return nil
	}},
}

func intFormat(lo, hi int64) func(any) error {
	return func(v any) error {
		n, ok := v.(json.Number)
		if !ok {
			return nil
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || i < lo || i > hi {
			return fmt.Errorf("%s is out of range", n)
		}
		return nil
	}
}

func TestKubernetesManifestsMatchTheAPISchemas(t *testing.T) {
	schemas := k8sSchemas(t)
	for _, m := range readManifests(t, manifestDir, "kustomization.yaml") {
		t.Run(m.file, func(t *testing.T) {
			s, ok := schemas[m.kind()]
			if !ok {
				t.Fatalf("%s holds a %s, which testdata/k8s-schema has no schema for: add it to KINDS in derive.js", m.file, m.kind())
			}
			if err := s.Validate(m.doc); err != nil {
				t.Errorf("%s does not validate as %s:\n%v", m.file, m.kind(), err)
			}
		})
	}
}

// TestKubernetesSchemasRejectMistakes makes sure the schema check can fail:
// each case is the real Deployment or Service with one mistake the API
// server would refuse.
func TestKubernetesSchemasRejectMistakes(t *testing.T) {
	schemas := k8sSchemas(t)
	container := func(o map[string]any) map[string]any {
		return path(o, "spec", "template", "spec", "containers").([]any)[0].(map[string]any)
	}
	tests := []struct {
		name, file, want string
		edit             func(o map[string]any)
	}{
		{"a misspelt container field", "deployment.yaml", "readinesProbe", func(o map[string]any) {
			c := container(o)
			c["readinesProbe"] = c["readinessProbe"]
			delete(c, "readinessProbe")
		}},
		{"a misspelt field at the top of the spec", "deployment.yaml", "replica", func(o map[string]any) {
			path(o, "spec").(map[string]any)["replica"] = json.Number("2")
		}},
		{"replicas as a string", "deployment.yaml", "replicas", func(o map[string]any) {
			path(o, "spec").(map[string]any)["replicas"] = "2"
		}},
		{"a memory limit that is no quantity", "deployment.yaml", "memory", func(o map[string]any) {
			path(container(o), "resources", "limits").(map[string]any)["memory"] = "256MB"
		}},
		{"a topology spread with an unknown policy", "deployment.yaml", "whenUnsatisfiable", func(o map[string]any) {
			path(o, "spec", "template", "spec", "topologySpreadConstraints").([]any)[0].(map[string]any)["whenUnsatisfiable"] = "DoNotSchedul"
		}},
		{"a container port out of range", "deployment.yaml", "containerPort", func(o map[string]any) {
			container(o)["ports"].([]any)[0].(map[string]any)["containerPort"] = json.Number("4294967296")
		}},
		{"a misspelt Service port field", "service.yaml", "targetport", func(o map[string]any) {
			p := path(o, "spec", "ports").([]any)[0].(map[string]any)
			p["targetport"] = p["targetPort"]
			delete(p, "targetPort")
		}},
		{"a missing kind", "service.yaml", "kind", func(o map[string]any) { delete(o, "kind") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := readManifests(t, manifestDir, "kustomization.yaml")
			i := slices.IndexFunc(ms, func(m manifest) bool { return m.file == tt.file })
			if i < 0 {
				t.Fatalf("no %s", tt.file)
			}
			kind := ms[i].kind()
			obj := ms[i].doc.(map[string]any)
			tt.edit(obj)
			err := schemas[kind].Validate(obj)
			if err == nil {
				t.Fatalf("Validate(%s with %s) = nil, want an error", tt.file, tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate(%s with %s) = %v, want it to name %q", tt.file, tt.name, err, tt.want)
			}
		})
	}
}

// path walks nested objects by key.
func path(v any, keys ...string) any {
	for _, k := range keys {
		v = v.(map[string]any)[k]
	}
	return v
}

// The objects, as far as the cross-checks read them.
type (
	objectMeta struct {
		Name        string            `json:"name"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	}
	labelSelector struct {
		MatchLabels map[string]string `json:"matchLabels"`
	}
	httpGet struct {
		Path string `json:"path"`
		Port any    `json:"port"`
	}
	probe struct {
		HTTPGet        *httpGet `json:"httpGet"`
		TimeoutSeconds int      `json:"timeoutSeconds"`
	}
	securityContext struct {
		RunAsNonRoot             *bool  `json:"runAsNonRoot"`
		RunAsUser                *int64 `json:"runAsUser"`
		ReadOnlyRootFilesystem   *bool  `json:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool  `json:"allowPrivilegeEscalation"`
		Capabilities             struct {
			Drop []string `json:"drop"`
		} `json:"capabilities"`
		SeccompProfile struct {
			Type string `json:"type"`
		} `json:"seccompProfile"`
	}
	containerPort struct {
		Name          string `json:"name"`
		ContainerPort int    `json:"containerPort"`
	}
	spreadConstraint struct {
		TopologyKey       string        `json:"topologyKey"`
		WhenUnsatisfiable string        `json:"whenUnsatisfiable"`
		LabelSelector     labelSelector `json:"labelSelector"`
	}
	envVar struct {
		Name      string `json:"name"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name     string `json:"name"`
				Key      string `json:"key"`
				Optional bool   `json:"optional"`
			} `json:"secretKeyRef"`
		} `json:"valueFrom"`
	}
	container struct {
		Name           string          `json:"name"`
		Image          string          `json:"image"`
		Args           []string        `json:"args"`
		Ports          []containerPort `json:"ports"`
		Env            []envVar        `json:"env"`
		LivenessProbe  *probe          `json:"livenessProbe"`
		ReadinessProbe *probe          `json:"readinessProbe"`
		StartupProbe   *probe          `json:"startupProbe"`
		Resources      struct {
			Requests map[string]string `json:"requests"`
			Limits   map[string]string `json:"limits"`
		} `json:"resources"`
		SecurityContext securityContext `json:"securityContext"`
	}
	deployment struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Replicas int           `json:"replicas"`
			Selector labelSelector `json:"selector"`
			Strategy struct {
				Type          string `json:"type"`
				RollingUpdate struct {
					MaxUnavailable any `json:"maxUnavailable"`
				} `json:"rollingUpdate"`
			} `json:"strategy"`
			Template struct {
				Metadata objectMeta `json:"metadata"`
				Spec     struct {
					TerminationGracePeriodSeconds int                `json:"terminationGracePeriodSeconds"`
					SecurityContext               securityContext    `json:"securityContext"`
					TopologySpreadConstraints     []spreadConstraint `json:"topologySpreadConstraints"`
					Containers                    []container        `json:"containers"`
				} `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	service struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Type     string            `json:"type"`
			Selector map[string]string `json:"selector"`
			Ports    []struct {
				Name       string `json:"name"`
				Port       int    `json:"port"`
				TargetPort any    `json:"targetPort"`
			} `json:"ports"`
		} `json:"spec"`
	}
	ingress struct {
		Spec struct {
			TLS []struct {
				Hosts      []string `json:"hosts"`
				SecretName string   `json:"secretName"`
			} `json:"tls"`
			Rules []struct {
				Host string `json:"host"`
				HTTP struct {
					Paths []struct {
						Path     string `json:"path"`
						PathType string `json:"pathType"`
						Backend  struct {
							Service struct {
								Name string `json:"name"`
								Port struct {
									Name   string `json:"name"`
									Number int    `json:"number"`
								} `json:"port"`
							} `json:"service"`
						} `json:"backend"`
					} `json:"paths"`
				} `json:"http"`
			} `json:"rules"`
		} `json:"spec"`
	}
	podDisruptionBudget struct {
		Spec struct {
			MinAvailable any           `json:"minAvailable"`
			Selector     labelSelector `json:"selector"`
		} `json:"spec"`
	}
	secret struct {
		Metadata   objectMeta        `json:"metadata"`
		StringData map[string]string `json:"stringData"`
	}
)

// objects reads the manifests into the types above, one object a file.
type objects struct {
	deploy deployment
	svc    service
	ing    ingress
	pdb    podDisruptionBudget
	secret secret
}

func readObjects(t *testing.T) objects {
	t.Helper()
	var o objects
	targets := map[string]any{
		"apps/v1 Deployment":            &o.deploy,
		"v1 Service":                    &o.svc,
		"networking.k8s.io/v1 Ingress":  &o.ing,
		"policy/v1 PodDisruptionBudget": &o.pdb,
		"v1 Secret":                     &o.secret,
	}
	seen := map[string]string{}
	for _, m := range readManifests(t, manifestDir, "kustomization.yaml") {
		kind := m.kind()
		if f, dup := seen[kind]; dup {
			t.Fatalf("two objects of kind %s (%s, %s): the checks below read one", kind, f, m.file)
		}
		seen[kind] = m.file
		target, ok := targets[kind]
		if !ok {
			t.Fatalf("%s: no cross-check reads a %s", m.file, kind)
		}
		b, _ := json.Marshal(m.doc)
		if err := json.Unmarshal(b, target); err != nil {
			t.Fatalf("%s: %v", m.file, err)
		}
	}
	for kind := range targets {
		if _, ok := seen[kind]; !ok {
			t.Fatalf("no manifest holds a %s", kind)
		}
	}
	return o
}

// botPort is the port of the bot's default listen address.
func botPort(t *testing.T) int {
	t.Helper()
	_, p, err := net.SplitHostPort(bot.DefaultAddr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func subset(sub, super map[string]string) bool {
	if len(sub) == 0 {
		return false // an empty selector selects everything
	}
	for k, v := range sub {
		if super[k] != v {
			return false
		}
	}
	return true
}

func TestKubernetesManifestsFitTheBot(t *testing.T) {
	o := readObjects(t)
	d := o.deploy
	pod := d.Spec.Template
	podLabels := pod.Metadata.Labels
	port := botPort(t)
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("the pod has %d containers, want 1", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]

	t.Run("two replicas that roll without a gap", func(t *testing.T) {
		if d.Spec.Replicas != 2 {
			t.Errorf("replicas = %d, want 2", d.Spec.Replicas)
		}
		if d.Spec.Strategy.Type != "RollingUpdate" || fmt.Sprint(d.Spec.Strategy.RollingUpdate.MaxUnavailable) != "0" {
			t.Errorf("strategy = %+v, want RollingUpdate with maxUnavailable 0", d.Spec.Strategy)
		}
	})
	t.Run("the selectors select the pods", func(t *testing.T) {
		if !subset(d.Spec.Selector.MatchLabels, podLabels) {
			t.Errorf("Deployment selector %v does not match the pod labels %v", d.Spec.Selector.MatchLabels, podLabels)
		}
		if !subset(o.svc.Spec.Selector, podLabels) {
			t.Errorf("Service selector %v does not match the pod labels %v", o.svc.Spec.Selector, podLabels)
		}
		if !subset(o.pdb.Spec.Selector.MatchLabels, podLabels) {
			t.Errorf("PodDisruptionBudget selector %v does not match the pod labels %v", o.pdb.Spec.Selector.MatchLabels, podLabels)
		}
		for _, tsc := range pod.Spec.TopologySpreadConstraints {
			if !subset(tsc.LabelSelector.MatchLabels, podLabels) {
				t.Errorf("topology spread on %s selects %v, not the pod labels %v", tsc.TopologyKey, tsc.LabelSelector.MatchLabels, podLabels)
			}
		}
	})
	t.Run("the replicas run on different nodes", func(t *testing.T) {
		ok := slices.ContainsFunc(pod.Spec.TopologySpreadConstraints, func(c spreadConstraint) bool {
			return c.TopologyKey == "kubernetes.io/hostname" && c.WhenUnsatisfiable == "DoNotSchedule"
		})
		if !ok {
			t.Errorf("no topology spread constraint over kubernetes.io/hostname with DoNotSchedule")
		}
	})
	t.Run("the container listens where the bot listens", func(t *testing.T) {
		i := slices.IndexFunc(c.Ports, func(p containerPort) bool {
			return p.Name == "http"
		})
		if i < 0 || c.Ports[i].ContainerPort != port {
			t.Errorf("container ports = %+v, want one named http on %d (bot.DefaultAddr %q)", c.Ports, port, bot.DefaultAddr)
		}
		if !slices.Equal(c.Args, []string{"serve"}) {
			t.Errorf("args = %q, want [serve]", c.Args)
		}
	})
	t.Run("the probes ask the bot's health endpoints", func(t *testing.T) {
		for _, p := range []struct {
			name  string
			probe *probe
			path  string
		}{
			{"liveness", c.LivenessProbe, "/healthz"},
			{"readiness", c.ReadinessProbe, "/readyz"},
			{"startup", c.StartupProbe, "/healthz"},
		} {
			if p.probe == nil || p.probe.HTTPGet == nil {
				t.Errorf("no %s probe over HTTP", p.name)
				continue
			}
			if p.probe.HTTPGet.Path != p.path {
				t.Errorf("%s probe path = %q, want %q", p.name, p.probe.HTTPGet.Path, p.path)
			}
			if pp := fmt.Sprint(p.probe.HTTPGet.Port); pp != "http" && pp != strconv.Itoa(port) {
				t.Errorf("%s probe port = %v, want http or %d", p.name, p.probe.HTTPGet.Port, port)
			}
		}
		// /readyz may ask GitHub, for up to bot.ReadyTimeout.
		if c.ReadinessProbe != nil && time.Duration(c.ReadinessProbe.TimeoutSeconds)*time.Second <= bot.ReadyTimeout {
			t.Errorf("readiness probe timeoutSeconds = %d, want more than the %s /readyz may wait for GitHub", c.ReadinessProbe.TimeoutSeconds, bot.ReadyTimeout)
		}
	})
	t.Run("Prometheus scrapes the metrics endpoint", func(t *testing.T) {
		a := pod.Metadata.Annotations
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/path"] != "/metrics" || a["prometheus.io/port"] != strconv.Itoa(port) {
			t.Errorf("pod annotations = %v, want prometheus.io/scrape true, path /metrics, port %d", a, port)
		}
	})
	t.Run("the endpoints exist in the bot", func(t *testing.T) {
		h := newBotHandler(t)
		probePath := func(p *probe) string {
			if p == nil || p.HTTPGet == nil {
				return "/no-probe"
			}
			return p.HTTPGet.Path
		}
		for _, r := range []struct {
			method, path string
			want         int
		}{
			{"GET", probePath(c.LivenessProbe), http.StatusOK},
			{"GET", probePath(c.StartupProbe), http.StatusOK},
			// Not ready before the credentials were checked; but served.
			{"GET", probePath(c.ReadinessProbe), http.StatusServiceUnavailable},
			{"GET", pod.Metadata.Annotations["prometheus.io/path"], http.StatusOK},
			// An unsigned delivery is refused; but the route is there.
			{"POST", bot.WebhookPath, http.StatusBadRequest},
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(r.method, r.path, strings.NewReader("{}")))
			if rec.Code != r.want {
				t.Errorf("%s %s = %d, want %d", r.method, r.path, rec.Code, r.want)
			}
		}
	})
	t.Run("the environment is the bot's, from the Secret", func(t *testing.T) {
		botEnv := []string{bot.EnvAppID, bot.EnvPrivateKey, bot.EnvPrivateKeyPath, bot.EnvWebhookSecret,
			bot.EnvAPIURL, bot.EnvAddr, bot.EnvResyncEvery}
		want := map[string]bool{bot.EnvAppID: false, bot.EnvPrivateKey: false, bot.EnvWebhookSecret: false, bot.EnvAPIURL: true} // name -> optional
		got := map[string]bool{}
		for _, e := range c.Env {
			if (strings.HasPrefix(e.Name, "GITHUB_") || strings.HasPrefix(e.Name, "NEWSLETTER_BOT_")) && !slices.Contains(botEnv, e.Name) {
				t.Errorf("env %s is none the bot reads (bot.Env*)", e.Name)
			}
			if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.SecretKeyRef
			if ref.Name != o.secret.Metadata.Name || ref.Key != e.Name {
				t.Errorf("env %s comes from secret %s key %s, want secret %s key %s", e.Name, ref.Name, ref.Key, o.secret.Metadata.Name, e.Name)
			}
			got[e.Name] = ref.Optional
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("env from the secret (name: optional) = %v, want %v", got, want)
		}
		var keys []string
		for k := range o.secret.StringData {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var wantKeys []string
		for k := range want {
			wantKeys = append(wantKeys, k)
		}
		sort.Strings(wantKeys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("secret.example.yaml keys = %v, want %v", keys, wantKeys)
		}
	})
	t.Run("shutdown has time to drain the queue", func(t *testing.T) {
		grace := time.Duration(pod.Spec.TerminationGracePeriodSeconds) * time.Second
		// The bot stays up, unready, for DrainDelay, then drains its queue
		// for ShutdownGrace at most; Kubernetes must wait for both.
		if c := bot.DefaultConfig(); grace <= c.DrainDelay+c.ShutdownGrace {
			t.Errorf("terminationGracePeriodSeconds = %v, want more than the bot's DrainDelay + ShutdownGrace, %v", grace, c.DrainDelay+c.ShutdownGrace)
		}
	})
	t.Run("the container runs locked down", func(t *testing.T) {
		uid := dockerfileUID(t)
		for _, sc := range []struct {
			where string
			sc    securityContext
		}{{"pod", pod.Spec.SecurityContext}, {"container", c.SecurityContext}} {
			if sc.sc.RunAsNonRoot == nil || !*sc.sc.RunAsNonRoot {
				t.Errorf("%s securityContext.runAsNonRoot is not true", sc.where)
			}
			if sc.sc.RunAsUser == nil || *sc.sc.RunAsUser != uid {
				t.Errorf("%s securityContext.runAsUser = %v, want the Dockerfile's USER %d", sc.where, sc.sc.RunAsUser, uid)
			}
			if sc.sc.SeccompProfile.Type != "RuntimeDefault" {
				t.Errorf("%s seccompProfile = %q, want RuntimeDefault", sc.where, sc.sc.SeccompProfile.Type)
			}
		}
		s := c.SecurityContext
		if s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem {
			t.Errorf("readOnlyRootFilesystem is not true")
		}
		if s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation {
			t.Errorf("allowPrivilegeEscalation is not false")
		}
		if !slices.Equal(s.Capabilities.Drop, []string{"ALL"}) {
			t.Errorf("capabilities.drop = %v, want [ALL]", s.Capabilities.Drop)
		}
	})
	t.Run("requests and limits are set", func(t *testing.T) {
		for _, r := range []string{"cpu", "memory"} {
			if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
				t.Errorf("resources = %+v, want a request and a limit of %s", c.Resources, r)
			}
		}
	})
	t.Run("the Service sends port 80 to the named port", func(t *testing.T) {
		s := o.svc.Spec
		if s.Type != "ClusterIP" || len(s.Ports) != 1 || s.Ports[0].Port != 80 || fmt.Sprint(s.Ports[0].TargetPort) != "http" {
			t.Errorf("Service spec = %+v, want ClusterIP, port 80 to targetPort http", s)
		}
	})
	t.Run("the Ingress routes only the webhook", func(t *testing.T) {
		var hosts []string
		for _, r := range o.ing.Spec.Rules {
			hosts = append(hosts, r.Host)
			if len(r.HTTP.Paths) == 0 {
				t.Errorf("rule for %q routes nothing", r.Host)
			}
			for _, p := range r.HTTP.Paths {
				if p.Path != bot.WebhookPath || p.PathType != "Exact" {
					t.Errorf("Ingress routes %s %q, want only Exact %q", p.PathType, p.Path, bot.WebhookPath)
				}
				b := p.Backend.Service
				if b.Name != o.svc.Metadata.Name || b.Port.Name != o.svc.Spec.Ports[0].Name {
					t.Errorf("Ingress backend = %+v, want service %s port %s", b, o.svc.Metadata.Name, o.svc.Spec.Ports[0].Name)
				}
			}
		}
		var tlsHosts []string
		for _, tls := range o.ing.Spec.TLS {
			tlsHosts = append(tlsHosts, tls.Hosts...)
		}
		if len(hosts) == 0 || !slices.Equal(hosts, tlsHosts) {
			t.Errorf("Ingress hosts %v, TLS hosts %v: want the same, and TLS for every host", hosts, tlsHosts)
		}
	})
	t.Run("the disruption budget keeps one replica", func(t *testing.T) {
		if fmt.Sprint(o.pdb.Spec.MinAvailable) != "1" {
			t.Errorf("minAvailable = %v, want 1", o.pdb.Spec.MinAvailable)
		}
	})
}

// newBotHandler builds a real replica (it makes no request until it
// serves) and returns its HTTP handler.
func newBotHandler(t *testing.T) http.Handler {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cfg := bot.DefaultConfig()
	cfg.AppID = 1
	cfg.WebhookSecret = "test-secret"
	cfg.PrivateKey = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	b, err := bot.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return b.Handler()
}

// kustomization is kustomization.yaml, decoded strictly: the keys it uses.
type kustomization struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Namespace  string   `yaml:"namespace"`
	Resources  []string `yaml:"resources"`
	Images     []struct {
		Name    string `yaml:"name"`
		NewName string `yaml:"newName"`
		NewTag  string `yaml:"newTag"`
	} `yaml:"images"`
}

// optional are the manifests kept out of the kustomization on purpose.
var optional = []string{"secret.example.yaml", "ingress.yaml"}

func TestKustomization(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(manifestDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k kustomization
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml is %s %s, want kustomize.config.k8s.io/v1beta1 Kustomization", k.APIVersion, k.Kind)
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join(manifestDir, r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
		if slices.Contains(optional, r) {
			t.Errorf("kustomization.yaml lists %s, which is optional: leave it commented out", r)
		}
	}
	files, _ := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	for _, f := range files {
		name := filepath.Base(f)
		if name != "kustomization.yaml" && !slices.Contains(optional, name) && !slices.Contains(k.Resources, name) {
			t.Errorf("kustomization.yaml does not list %s", name)
		}
	}
	o := readObjects(t)
	image := o.deploy.Spec.Template.Spec.Containers[0].Image
	if len(k.Images) != 1 || k.Images[0].Name != image {
		t.Errorf("kustomization.yaml images = %+v, want one entry for the Deployment's image %q", k.Images, image)
	}

	// kubectl's built-in kustomize, where there is one: it builds offline.
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Log("kubectl not found: kustomize build not tried")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, kubectl, "kustomize", manifestDir).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", manifestDir, err, out)
	}
	docs, err := decodeYAML(out)
	if err != nil {
		t.Fatalf("kubectl kustomize output: %v", err)
	}
	schemas := k8sSchemas(t)
	var kinds []string
	for _, d := range docs {
		m := manifest{file: "kustomize output", doc: d}
		kinds = append(kinds, m.kind())
		if s, ok := schemas[m.kind()]; ok {
			if err := s.Validate(d); err != nil {
				t.Errorf("kustomize's %s does not validate: %v", m.kind(), err)
			}
		}
		if m.kind() == "apps/v1 Deployment" {
			img := path(d, "spec", "template", "spec", "containers").([]any)[0].(map[string]any)["image"]
			if want := k.Images[0].NewName + ":" + k.Images[0].NewTag; img != want {
				t.Errorf("kustomize's image = %v, want %s", img, want)
			}
		}
	}
	sort.Strings(kinds)
	if want := []string{"apps/v1 Deployment", "policy/v1 PodDisruptionBudget", "v1 Service"}; !slices.Equal(kinds, want) {
		t.Errorf("kubectl kustomize builds %v, want %v", kinds, want)
	}
}
