"""Reminders and notifications (提醒与通知): the kernel's other half beside casework.

`zoneops remind` (services.remind) reads every work source the apps declare
(casework.workbench): each person's open items due within three working days or late become
his notices (in-app, the bell), once per item, deadline and standing; the people outside the
staff's day a source names (an enterprise's users) get theirs. Each person then gets one
digest a day (e-mail for staff, SMS-ready text for enterprise users) and each department's
group robots (企业微信, 钉钉, 飞书) one message a day. Every send is a Delivery, retried with
backoff and shown in the back office when it fails; nothing is dropped silently.

Nothing here names a business app.
"""
