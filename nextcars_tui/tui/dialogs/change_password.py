"""Your own password: the current one first, then the new one twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from nextcars_tui.domain.parsing import parse_password
from nextcars_tui.domain.roles import Permission
from nextcars_tui.tui.dialogs.record_form import FormFault, FormField, RecordFormDialog, Values

if TYPE_CHECKING:
    from nextcars_tui.domain.roles import Actor
    from nextcars_tui.services.desk import Desk


class ChangePasswordDialog(RecordFormDialog):
    """Open to every role (Ctrl+T, or the palette): closes with True once the password is
    changed. The service checks the current password, counting a wrong one toward the
    lock-out as the sign-in screen does."""

    REQUIRED: ClassVar[Permission | None] = Permission.CHANGE_OWN_PASSWORD

    def __init__(self, desk: Desk, actor: Actor) -> None:
        fields = [
            FormField(
                "current_password", "Current", password=True, placeholder="your password now"
            ),
            FormField(
                "new_password",
                "New",
                password=True,
                placeholder="at least 8 characters",
                check=lambda text: parse_password(text, "new password"),
            ),
            FormField("repeat", "Repeat new", password=True),
        ]

        def save(values: Values) -> bool:
            from nextcars_tui.services.auth import change_own_password

            if values["new_password"] != values["repeat"]:
                raise FormFault("repeat", "The two new passwords differ; type the same twice.")
            change_own_password(desk, actor, values["current_password"], values["new_password"])
            return True

        super().__init__(
            f"Change the password of {actor.username}", fields, save, save_label="Change"
        )
