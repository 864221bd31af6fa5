package sqlite

import (
	"context"
	"fmt"
)

// Storage is where a store's bytes are: the pages of each table and index,
// beside the raw bytes of the events they hold.
type Storage struct {
	// Bytes is the size of the tables' and indexes' pages: the file, less
	// its free pages.
	Bytes    int64 `json:"bytes"`
	Sessions int64 `json:"sessions"`
	Events   int64 `json:"events"`
	// EventBytes is the events' own JSON: their data, actor and type.
	EventBytes int64 `json:"event_bytes"`
	// Tables lists tables and indexes, the largest first.
	Tables []TableStorage `json:"tables"`
}

// TableStorage is one table's or index's share of the pages: all of them,
// the bytes its rows take (payload) and the bytes no row uses.
type TableStorage struct {
	Name    string `json:"name"`
	Bytes   int64  `json:"bytes"`
	Payload int64  `json:"payload"`
	Unused  int64  `json:"unused"`
}

// Storage measures the store with SQLite's dbstat table: it reads every
// page, so it takes as long as reading the file (seconds per gigabyte).
func (db *DB) Storage(ctx context.Context) (Storage, error) {
	var st Storage
	rows, err := db.read.QueryContext(ctx, `SELECT name, SUM(pgsize), SUM(payload), SUM(unused) FROM dbstat
		GROUP BY name ORDER BY SUM(pgsize) DESC, name`)
	if err != nil {
		return st, fmt.Errorf("storage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t TableStorage
		if err := rows.Scan(&t.Name, &t.Bytes, &t.Payload, &t.Unused); err != nil {
			return st, fmt.Errorf("storage: %w", err)
		}
		st.Bytes += t.Bytes
		st.Tables = append(st.Tables, t)
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("storage: %w", err)
	}
	err = db.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM sessions), COUNT(*),
		COALESCE(SUM(length(data) + length(actor) + length(type)), 0) FROM events`).Scan(&st.Sessions, &st.Events, &st.EventBytes)
	if err != nil {
		return st, fmt.Errorf("storage: %w", err)
	}
	return st, nil
}

// Table returns the storage of one table or index (zero if absent).
func (s Storage) Table(name string) TableStorage {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return TableStorage{Name: name}
}
