package s3blob

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/switchboardhq/switchboard/internal/redact"
)

// Config says where a Store keeps its objects and how it reaches them.
type Config struct {
	// Bucket is the bucket that holds the objects. It must exist.
	Bucket string
	// Prefix is put before every key: "" or a path ending in "/"
	// ("switchboard/files/").
	Prefix string
	// Endpoint is the URL of the S3 server, "" for Amazon S3.
	Endpoint string
	// Region is the bucket's region, us-east-1 when empty.
	Region string
	// PathStyle addresses the bucket in the path (http://host/bucket/key)
	// rather than in the host name (http://bucket.host/key).
	PathStyle bool

	// The credentials; Open takes them from AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
	AccessKey, SecretKey, SessionToken string
}

// DefaultRegion is the region of a URL that names none.
const DefaultRegion = "us-east-1"

// ParseURL reads a storage URL of the form
//
//	s3://BUCKET/PREFIX?endpoint=http://127.0.0.1:7070&region=us-east-1&path_style=true
//
// The prefix may be empty; keys are stored under PREFIX/. Without an
// endpoint the store is Amazon S3, addressed by virtual host; with one,
// path style is the default, as S3-compatible servers expect. The region
// defaults to us-east-1. Credentials are not part of the URL: the
// returned Config has none.
func ParseURL(raw string) (Config, error) {
	fail := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("file storage URL %q: %s", redact.URL(raw), fmt.Sprintf(format, args...))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail("%v", unwrapURLError(err))
	}
	if u.Scheme != "s3" {
		return fail("the scheme must be s3://, not %q", u.Scheme)
	}
	if u.Opaque != "" {
		return fail("write it as s3://BUCKET/PREFIX")
	}
	if u.User != nil {
		return fail("credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fail("a fragment (#...) has no meaning here")
	}
	c := Config{Bucket: u.Host, Region: DefaultRegion}
	if c.Bucket == "" {
		return fail("no bucket: write s3://BUCKET/PREFIX")
	}
	if u.Port() != "" || strings.Contains(c.Bucket, ":") {
		return fail("the host part is the bucket name, not a server: give the server as ?endpoint=")
	}
	if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
		return fail("bad bucket name %q: %v", c.Bucket, err)
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" {
		if err := checkKey(prefix); err != nil {
			return fail("bad prefix %q: segments must be non-empty, not . or .., without backslashes", prefix)
		}
		c.Prefix = prefix + "/"
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("bad query: %v", err)
	}
	pathStyle := ""
	for name, values := range q {
		if len(values) != 1 {
			return fail("%s is given %d times", name, len(values))
		}
		v := values[0]
		switch name {
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil {
				return fail("bad endpoint: %v", unwrapURLError(err))
			}
			if e.Scheme != "http" && e.Scheme != "https" || e.Host == "" {
				return fail("the endpoint must be an http:// or https:// URL with a host, not %q", v)
			}
			if e.User != nil || e.Path != "" && e.Path != "/" || e.RawQuery != "" || e.Fragment != "" {
				return fail("the endpoint is a server's address only (scheme, host, port), not %q", v)
			}
			c.Endpoint = e.Scheme + "://" + e.Host
		case "region":
			if v == "" || strings.ContainsAny(v, " /") {
				return fail("bad region %q", v)
			}
			c.Region = v
		case "path_style":
			if v != "true" && v != "false" {
				return fail("path_style must be true or false, not %q", v)
			}
			pathStyle = v
		default:
			return fail("unknown parameter %q (known: endpoint, region, path_style)", name)
		}
	}
	switch pathStyle {
	case "true":
		c.PathStyle = true
	case "false":
		c.PathStyle = false
	default:
		c.PathStyle = c.Endpoint != ""
	}
	return c, nil
}

// credentialsFromEnv fills in c's credentials from the usual variables.
func credentialsFromEnv(c *Config) error {
	c.AccessKey = os.Getenv("AWS_ACCESS_KEY_ID")
	c.SecretKey = os.Getenv("AWS_SECRET_ACCESS_KEY")
	c.SessionToken = os.Getenv("AWS_SESSION_TOKEN")
	if c.AccessKey == "" || c.SecretKey == "" {
		return fmt.Errorf("file storage s3://%s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", c.Bucket)
	}
	return nil
}

// unwrapURLError drops net/url's repetition of the whole URL.
func unwrapURLError(err error) error {
	if e, ok := err.(*url.Error); ok {
		return e.Err
	}
	return err
}
