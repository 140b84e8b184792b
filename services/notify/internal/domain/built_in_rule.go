package domain

// EventOrderLineFlagged is orders' event for an order line whose unit
// serials refused to move (recalled, lost...): the branch has to act.
const EventOrderLineFlagged = "orders.order.line_flagged.v1"

// OrderLineFlaggedRuleID is the id of the built-in rule for
// EventOrderLineFlagged. It never changes: the notifications it made name it.
const OrderLineFlaggedRuleID = "c6e98f31-b233-5ad4-9f85-b8c6bf89310a"

// BuiltInRules returns the rules every tenant has without creating them,
// for events that ask a team to act: nobody should have to know to
// subscribe to those. They are not stored, so they are not listed, read or
// deleted through the API; their notifications carry the rule's fixed id. A
// tenant's own rule for the same events notifies again, under its own id.
//
// A flagged order line goes to the warehouse staff of the order's branch
// (the event's branch_id), and to warehouse staff limited to no location.
func BuiltInRules() []*NotificationRule {
	return []*NotificationRule{{
		ID:              OrderLineFlaggedRuleID,
		EventType:       EventOrderLineFlagged,
		Title:           "Order line flagged: its unit could not be moved",
		RecipientRole:   "warehouse",
		AtEventLocation: true,
	}}
}
