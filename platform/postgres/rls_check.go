package postgres

import (
	"context"
	"fmt"
	"strings"
)

// CheckRowLevelSecurity audits schema for tenant tables left unprotected.
// Every table (partitions included, since a partition can be queried
// directly) with a company_id column must have row-level security enabled,
// forced, and at least one policy; a table missing any of them returns one
// problem naming the table and everything it misses. No problems means an
// empty slice. Services run it in a test after migrating, so a new table
// without its policy fails the build rather than leaking across tenants.
func CheckRowLevelSecurity(ctx context.Context, q Querier, schema string) ([]string, error) {
	rows, err := q.Query(ctx, `
		select c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       exists (select 1 from pg_policy p where p.polrelid = c.oid)
		from pg_class c
		join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = $1
		  and c.relkind in ('r', 'p')
		  and exists (
		      select 1 from pg_attribute a
		      where a.attrelid = c.oid and a.attname = 'company_id' and not a.attisdropped)
		order by c.relname`, schema)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit row-level security of %s: %w", schema, err)
	}
	defer rows.Close()

	problems := []string{}
	for rows.Next() {
		var table string
		var enabled, forced, hasPolicy bool
		if err := rows.Scan(&table, &enabled, &forced, &hasPolicy); err != nil {
			return nil, fmt.Errorf("postgres: audit row-level security of %s: %w", schema, err)
		}
		var missing []string
		if !enabled {
			missing = append(missing, "row level security not enabled")
		}
		if !forced {
			missing = append(missing, "row level security not forced")
		}
		if !hasPolicy {
			missing = append(missing, "no policy")
		}
		if len(missing) > 0 {
			problems = append(problems, schema+"."+table+": "+strings.Join(missing, ", "))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: audit row-level security of %s: %w", schema, err)
	}
	return problems, nil
}
