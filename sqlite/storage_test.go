package sqlite

import (
	"context"
	"testing"
)

func TestStorageCountsEveryPage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	fill(t, db, 300)
	st, err := db.Storage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pages, size int64
	if err := db.read.QueryRow(`SELECT page_count, page_size FROM pragma_page_count, pragma_page_size`).Scan(&pages, &size); err != nil {
		t.Fatal(err)
	}
	if st.Bytes != pages*size || st.Sessions != 300 || st.Events != 300 || st.EventBytes != 300*int64(len(`{}`)+len(`{"kind":"system"}`)+len("session_created")) {
		t.Errorf("storage %+v; the file has %d pages of %d bytes", st, pages, size)
	}
	s := st.Table("sessions")
	if s.Bytes == 0 || s.Payload == 0 || s.Payload+s.Unused > s.Bytes {
		t.Errorf("sessions: %+v", s)
	}
}
