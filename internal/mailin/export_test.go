package mailin

// BigMessage exposes the generated large message to the external tests.
var BigMessage = bigMessage
