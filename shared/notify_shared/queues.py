"""Queue names (DESIGN §4). The environment prefix is added by the bus."""

SEND_SMS = "send-sms-tasks"
SEND_EMAIL = "send-email-tasks"
SEND_LETTER = "send-letter-tasks"
RESEARCH_MODE = "research-mode-tasks"
DELIVERY_RECEIPTS = "delivery-receipts"
SERVICE_CALLBACKS = "service-callbacks"
PERIODIC = "periodic-tasks"

ALL = (SEND_SMS, SEND_EMAIL, SEND_LETTER, RESEARCH_MODE, DELIVERY_RECEIPTS, SERVICE_CALLBACKS, PERIODIC)

SEND_QUEUE_FOR_TYPE = {"sms": SEND_SMS, "email": SEND_EMAIL, "letter": SEND_LETTER}
