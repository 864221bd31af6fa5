package s3blob_test

import (
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/s3blob"
)

func TestParseURL(t *testing.T) {
	local := "http://127.0.0.1:7070"
	for _, c := range []struct {
		url  string
		want s3blob.Config
	}{
		{"s3://files/switchboard?endpoint=http://127.0.0.1:7070&region=us-east-1",
			s3blob.Config{Bucket: "files", Prefix: "switchboard/", Endpoint: local, Region: "us-east-1", PathStyle: true}},
		{"s3://files?endpoint=http://127.0.0.1:7070", s3blob.Config{Bucket: "files", Endpoint: local, Region: "us-east-1", PathStyle: true}},
		{"s3://files/", s3blob.Config{Bucket: "files", Region: "us-east-1"}},
		{"s3://files/a/b/", s3blob.Config{Bucket: "files", Prefix: "a/b/", Region: "us-east-1"}},
		{"s3://files/a/b?region=eu-west-3", s3blob.Config{Bucket: "files", Prefix: "a/b/", Region: "eu-west-3"}},
		{"s3://files/x?path_style=true", s3blob.Config{Bucket: "files", Prefix: "x/", Region: "us-east-1", PathStyle: true}},
		{"s3://files/x?endpoint=https://s3.example.com/&path_style=false",
			s3blob.Config{Bucket: "files", Prefix: "x/", Endpoint: "https://s3.example.com", Region: "us-east-1"}},
		{"s3://my.files-2/h%C3%A9llo%20w", s3blob.Config{Bucket: "my.files-2", Prefix: "héllo w/", Region: "us-east-1"}},
	} {
		got, err := s3blob.ParseURL(c.url)
		if err != nil || got != c.want {
			t.Errorf("ParseURL(%q) = %+v %v, want %+v", c.url, got, err, c.want)
		}
	}
	for _, c := range []struct{ url, says string }{
		{"", "scheme"},
		{"files/x", "scheme"},
		{"http://files/x", "scheme"},
		{"S3://files/x", ""}, // url.Parse lowers the scheme: accepted, see below
		{"s3:files/x", "s3://BUCKET"},
		{"s3:///x", "no bucket"},
		{"s3://Files/x", "bucket name"},
		{"s3://f/x", "bucket name"},
		{"s3://files_x/x", "bucket name"},
		{"s3://files:9000/x", "endpoint"},
		{"s3://key:secret@files/x", "credentials"},
		{"s3://files/a//b", "prefix"},
		{"s3://files/a/../b", "prefix"},
		{"s3://files/./b", "prefix"},
		{"s3://files/a%5Cb", "prefix"},
		{"s3://files/x#frag", "fragment"},
		{"s3://files/x?endpoint=127.0.0.1:7070", "endpoint"},
		{"s3://files/x?endpoint=ftp://host", "endpoint"},
		{"s3://files/x?endpoint=http://", "endpoint"},
		{"s3://files/x?endpoint=http://host/path", "endpoint"},
		{"s3://files/x?endpoint=http://host?q=1", "endpoint"},
		{"s3://files/x?endpoint=http://a&endpoint=http://b", "2 times"},
		{"s3://files/x?region=", "region"},
		{"s3://files/x?path_style=yes", "path_style"},
		{"s3://files/x?path_style=1", "path_style"},
		{"s3://files/x?pathstyle=true", "unknown parameter"},
		{"s3://files/x?region=a%zz", "query"},
	} {
		_, err := s3blob.ParseURL(c.url)
		if c.says == "" {
			if err != nil {
				t.Errorf("ParseURL(%q): %v", c.url, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseURL(%q) = %v, want an error about %s", c.url, err, c.says)
		}
	}
	// A password written into the URL by mistake is not repeated.
	if _, err := s3blob.ParseURL("s3://key:hunter2@files/x"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error repeats the password: %v", err)
	}
}
