"""The meeting service: agenda, attendance, reviews, actions, escalations, audit."""
