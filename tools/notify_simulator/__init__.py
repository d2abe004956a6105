"""Provider simulator: MMG, Firetext and SES v2 shaped endpoints that post receipts back."""
