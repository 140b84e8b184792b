package postgres

import "fmt"

// maxSchemaNameLen leaves room for the "_app" suffix of the schema's group
// role within Postgres's 63-byte identifier limit.
const maxSchemaNameLen = 63 - len(groupRoleSuffix)

// validateSchemaName accepts lower-case unquoted identifiers only. Schema
// names end up in DDL, role names and search_path; restricting them keeps
// all three free of quoting surprises and of injection.
func validateSchemaName(name string) error {
	if name == "" || len(name) > maxSchemaNameLen {
		return fmt.Errorf("postgres: schema name %q must be 1 to %d characters", name, maxSchemaNameLen)
	}
	for i, r := range name {
		lower := r >= 'a' && r <= 'z'
		digit := r >= '0' && r <= '9'
		if !(lower || r == '_' || (digit && i > 0)) {
			return fmt.Errorf("postgres: schema name %q must be lower-case letters, digits and underscores, not starting with a digit", name)
		}
	}
	if len(name) >= 3 && name[:3] == "pg_" {
		return fmt.Errorf("postgres: schema name %q uses the reserved pg_ prefix", name)
	}
	return nil
}
