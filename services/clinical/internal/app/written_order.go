package app

// WrittenOrderRepository stores written orders.
type WrittenOrderRepository interface{}

// WrittenOrders are the written order commands and queries.
type WrittenOrders struct{ c *clinic }
