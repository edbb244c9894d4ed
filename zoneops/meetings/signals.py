"""What meetings tells the apps above it, without naming them."""

from django.dispatch import Signal

# Sent by `services.meeting_hold` inside its transaction once the meeting is recorded as held
# (its minutes final): `meeting`, `by`. Supervision makes the decisions tasks.
meeting_held = Signal()
