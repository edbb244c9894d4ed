"""The enterprises app's permissions of its own, beside its models' (granted per role in
EnterprisesConfig.role_grants)."""

# A supervisor approves a department's ask for more time on an enterprise request.
APPROVE_EXTENSION = "enterprises.approve_extension"
# Assigning and ending liaison (包联) widens another person's scope: a permission of its own.
ASSIGN_LIAISON = "enterprises.assign_liaison"
