package httpapi

import (
	"html"
	"net/http"

	sb "github.com/switchboardhq/switchboard"
)

// Web plugins carry their identity secret, so every route is for
// administrators only; the widget reads its public part from
// GET /api/v1/widget/{key}.
func (s *Server) pluginRoutes() {
	s.handle("GET /api/v1/web-plugins", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(s.Directory.WebPlugins())})
		return nil
	}, adminsOnly...))
	s.handle("POST /api/v1/web-plugins", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		return s.savePlugin(w, r, 0)
	}, adminsOnly...))
	s.handle("GET /api/v1/web-plugins/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.pathPlugin(r)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, p)
		return nil
	}, adminsOnly...))
	s.handle("PUT /api/v1/web-plugins/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.pathPlugin(r)
		if err != nil {
			return err
		}
		return s.savePlugin(w, r, p.ID)
	}, adminsOnly...))
	s.deletable("web-plugins", s.Directory.DeleteWebPlugin)
	s.handle("GET /api/v1/web-plugins/{id}/embed", s.authed(s.pluginEmbed, adminsOnly...))
}

func (s *Server) pathPlugin(r *http.Request) (sb.WebPlugin, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return sb.WebPlugin{}, err
	}
	return s.Directory.GetWebPlugin(id)
}

// savePlugin creates (target 0) or replaces a web plugin. The key and the
// identity secret are the server's: values in the body are ignored.
func (s *Server) savePlugin(w http.ResponseWriter, r *http.Request, target int64) error {
	return saveDoc(w, r, target, func(p *sb.WebPlugin) *int64 { return &p.ID }, func(p *sb.WebPlugin) {
		if target == 0 {
			p.Key, p.IdentitySecret = "", ""
		}
	}, s.Directory.SaveWebPlugin)
}

// Embed is the code a site pastes to add a web plugin's widget, and the
// link of its hosted chat page.
type Embed struct {
	Script string `json:"script"`
	Link   string `json:"link"`
}

func (s *Server) pluginEmbed(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPlugin(r)
	if err != nil {
		return err
	}
	base := baseURL(r)
	writeJSON(w, http.StatusOK, Embed{
		Script: `<script src="` + html.EscapeString(base+"/widget.js") + `" data-plugin="` + html.EscapeString(p.Key) + `" async></script>`,
		Link:   base + "/chat/" + p.Key,
	})
	return nil
}

// baseURL is the scheme and host the client reached the server at.
func baseURL(r *http.Request) string {
	scheme := "http"
	if overTLS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
