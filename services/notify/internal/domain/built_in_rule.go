package domain

// EventOrderLineFlagged is orders' event for an order line whose unit
// serials refused to move (recalled, lost...): the branch has to act.
const EventOrderLineFlagged = "orders.order.line_flagged.v1"

// OrderLineFlaggedRuleID is the id of the built-in rule for
// EventOrderLineFlagged. It never changes: the notifications it made name it.
const OrderLineFlaggedRuleID = "c6e98f31-b233-5ad4-9f85-b8c6bf89310a"

// EventSignInBlocked is company's event for failed sign-ins that blocked
// their source from a user's account: the user should know someone is
// trying their password.
const EventSignInBlocked = "company.user.sign_in_blocked.v1"

// SignInBlockedRuleID is the id of the built-in rule for EventSignInBlocked.
const SignInBlockedRuleID = "5b0f5f7e-3a57-5d4e-8f0e-6a3c2f1d9b21"

// BuiltInRules returns the rules every tenant has without creating them,
// for events that ask a team to act: nobody should have to know to
// subscribe to those. They are not stored, so they are not listed, read or
// deleted through the API; their notifications carry the rule's fixed id. A
// tenant's own rule for the same events notifies again, under its own id.
//
// A flagged order line goes to the warehouse staff of the order's branch
// (the event's branch_id), and to warehouse staff limited to no location. A
// blocked sign-in goes to the user whose account was tried, whatever their
// role.
func BuiltInRules() []*NotificationRule {
	return []*NotificationRule{{
		ID:        SignInBlockedRuleID,
		EventType: EventSignInBlocked,
		Title:     "Repeated failed sign-ins to your account were blocked; if they were not yours, change your password",
		ToSubject: true,
	}, {
		ID:              OrderLineFlaggedRuleID,
		EventType:       EventOrderLineFlagged,
		Title:           "Order line flagged: its unit could not be moved",
		RecipientRole:   "warehouse",
		AtEventLocation: true,
	}}
}
