package outbox

// maxChannelSchemaLen is how much of the schema name the notification
// channel keeps: channel names are identifiers (at most 63 bytes) and the
// suffix takes 7. The outbox migration's trigger cuts the same way.
const maxChannelSchemaLen = 56

// Channel returns the LISTEN/NOTIFY channel on which the outbox of schema
// announces new events: "<schema>_outbox".
func Channel(schema string) string {
	if len(schema) > maxChannelSchemaLen {
		schema = schema[:maxChannelSchemaLen]
	}
	return schema + "_outbox"
}
