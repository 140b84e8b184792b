// Package page implements AIP-158 pagination for List methods: the page
// size a caller may ask for, and the opaque page token that resumes a
// listing.
//
// Tokens carry keyset positions, not offsets: the sort key values of the
// last item returned (for example its create_time and id), so the next
// query is "where (create_time, id) > ($1, $2) order by create_time, id
// limit n". The listing stays stable while rows are inserted and costs the
// same on page 1000 as on page 1.
//
// A token is bound to the query that produced it: the caller names the
// request fields that shape the result (method, parent, filter, order_by)
// as the scope, a checksum of which travels in the token. Reusing a token
// with a different scope is an invalid pageToken, as AIP-158 requires, not a
// silently wrong page.
//
// Tokens are not signed. A client that crafts one can only choose where its
// own listing resumes: the values are bound as query parameters and row-level
// security still limits the rows to its tenant. Services must still parse
// each key value strictly and answer InvalidToken when it does not parse.
package page
