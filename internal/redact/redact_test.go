package redact

import "testing"

func TestURL(t *testing.T) {
	for raw, want := range map[string]string{
		"postgres://root:hunter2@db/sb":                  "postgres://root:xxxxx@db/sb",
		"postgres://db/sb?user=root&password=hunter2":    "postgres://db/sb?password=xxxxx&user=root",
		"s3://bucket/prefix?endpoint=http://127.0.0.1:1": "s3://bucket/prefix?endpoint=http://127.0.0.1:1",
		"postgres://root:hun%ter2@db":                    "(an unreadable URL)",
		"sqlite:/var/lib/sb.db":                          "sqlite:/var/lib/sb.db",
	} {
		if got := URL(raw); got != want {
			t.Errorf("URL(%q) = %q, want %q", raw, got, want)
		}
	}
}
