package pgtest

import (
	"context"
	"testing"
)

// Table is one table of a service's schema as the catalog describes it,
// with what the service's runtime group role ("<name>_app") may do to it.
// A service's migrations test walks them, so a table added later without
// row-level security, or with a privilege it must not have, fails there.
type Table struct {
	Name string
	// RowSecurity is whether row-level security is enabled and forced.
	RowSecurity bool
	// Delete and Update are whether the runtime role may delete or update
	// its rows.
	Delete, Update bool
}

// Tables returns every table of the schema, ordered by name.
func (s Schema) Tables(t testing.TB) []Table {
	t.Helper()
	rows, err := s.Super.Query(context.Background(), `
		select c.relname, c.relrowsecurity and c.relforcerowsecurity,
		       has_table_privilege($2, c.oid, 'DELETE'),
		       has_table_privilege($2, c.oid, 'UPDATE')
		from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = $1 and c.relkind = 'r'
		order by c.relname`, s.Name, s.Name+"_app")
	if err != nil {
		t.Fatalf("pgtest: reading the tables of %s: %v", s.Name, err)
	}
	defer rows.Close()
	var out []Table
	for rows.Next() {
		var tb Table
		if err := rows.Scan(&tb.Name, &tb.RowSecurity, &tb.Delete, &tb.Update); err != nil {
			t.Fatalf("pgtest: reading the tables of %s: %v", s.Name, err)
		}
		out = append(out, tb)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("pgtest: reading the tables of %s: %v", s.Name, err)
	}
	return out
}
