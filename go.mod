module github.com/newsletter-bot/newsletter-bot

go 1.26.8

require (
	github.com/agnivade/levenshtein v1.2.2
	github.com/biter777/countries v1.7.5
	github.com/bradleyfalzon/ghinstallation/v2 v2.11.0
	github.com/golang-jwt/jwt/v4 v4.5.2
	github.com/google/go-cmp v0.7.0
	github.com/google/go-github/v62 v62.0.0
	github.com/yuin/goldmark v1.8.7
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
)
