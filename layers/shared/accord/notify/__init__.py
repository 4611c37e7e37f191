"""Notifications (DESIGN §11): events in the outbox, the dispatcher, webhooks, the activity log."""
