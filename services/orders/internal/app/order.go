package app

// OrderRepository stores orders, their lines, deliveries and pickups.
type OrderRepository interface{}

// Orders are the order commands and queries.
type Orders struct{ s *supplier }
