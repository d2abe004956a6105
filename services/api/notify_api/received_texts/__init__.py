"""Text messages the service's users sent to its inbound numbers, as GET /v2/received-text-messages shows them."""
