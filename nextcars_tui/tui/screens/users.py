"""Users: who can sign in, as what, linked to which driver or customer, who is locked out and
whose account is disabled."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from nextcars_tui.domain.accounts import parse_disable_reason
from nextcars_tui.domain.parsing import MAX_REASON, parse_password, parse_username
from nextcars_tui.domain.roles import ASSIGNABLE_ROLES
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.record_form import FormFault, FormField, RecordFormDialog, Values
from nextcars_tui.tui.formatting import count
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from nextcars_tui.services.auth import UserView

_ROLE_NAMES = tuple(role.value for role in ASSIGNABLE_ROLES)
_LINK_HINT = "DRV-05 or name@example.com"


def _same_passwords(values: Values) -> str:
    if values["password"] != values["repeat"]:
        raise FormFault("repeat", "The two passwords differ; type the same password twice.")
    return values["password"]


class UsersScreen(DeskScreen):
    """Accounts of the desk; a add, r role, p password, u unlock, d disable, e enable."""

    BINDINGS: ClassVar = [
        Binding("a", "add", "Add"),
        Binding("r", "change_role", "Role"),
        Binding("p", "reset_password", "Password"),
        Binding("u", "unlock", "Unlock"),
        Binding("d", "disable", "Disable"),
        Binding("e", "enable", "Enable"),
    ]

    class UsersLoaded(Message):
        def __init__(self, users: list[UserView]) -> None:
            super().__init__()
            self.users = users

    class Unlocked(Message):
        def __init__(self, user: UserView) -> None:
            super().__init__()
            self.user = user

    class Enabled(Message):
        def __init__(self, user: UserView) -> None:
            super().__init__()
            self.user = user

    def __init__(self) -> None:
        super().__init__()
        self._users: dict[str, UserView] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading…", id="users-summary", classes="status-line")
        yield DataTable(id="users-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="user-detail", classes="status-line")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#users-table", DataTable).add_columns(
            "User", "Role", "Linked to", "Sign-in state"
        )
        super().on_mount()
        self.query_one("#users-table", DataTable).focus()

    def reload(self) -> None:
        from nextcars_tui.services.auth import list_users

        self.call_service(list_users, self.desk, self.actor, reply=self.UsersLoaded, group="users")

    @on(UsersLoaded)
    def _show(self, message: UsersLoaded) -> None:
        users = message.users
        table = self.query_one("#users-table", DataTable)
        highlighted = self._selected()
        self._users = {user.username: user for user in users}
        table.clear()
        now = self.desk.now()
        for user in users:
            # Text, not str: a DataTable reads a str cell as markup.
            table.add_row(
                Text(user.username),
                user.role.value,
                Text(user.linked_to or "—"),
                self._state(user, now),
                key=user.username,
            )
        names = list(self._users)
        if highlighted in names:
            table.move_cursor(row=names.index(highlighted))
        locked = sum(1 for u in users if u.lock_in_force(now) is not None)
        disabled = sum(1 for u in users if u.disabled)
        self.query_one("#users-summary", Static).update(
            f"{count(len(users), 'user')} · {locked} locked · {disabled} disabled"
        )
        self._show_detail()

    def _state(self, user: UserView, now: datetime) -> Text:
        if user.disabled:
            return Text("DISABLED", style="bold magenta")
        locked_until = user.lock_in_force(now)
        if locked_until is not None:
            local = locked_until.astimezone(self.desk.settings.business.zone)
            return Text(f"LOCKED until {local:%H:%M}", style="bold red")
        if user.failed_sign_ins:
            return Text(count(user.failed_sign_ins, "failed sign-in"), style="yellow")
        return Text("ok", style="green")

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        """Under the table: when the highlighted user last signed in; if disabled, when, by
        whom and why."""
        user = self._users.get(self._selected() or "")
        detail = self.query_one("#user-detail", Static)
        if user is None:
            detail.update("")
            return
        zone = self.desk.settings.business.zone
        last = user.last_sign_in
        line = Text(f"{user.username}: last signed in ")
        line.append(f"{last.astimezone(zone):%a %d %b %Y %H:%M}" if last else "never")
        if user.disabled_at is not None:
            line.append(
                f" · disabled {user.disabled_at.astimezone(zone):%d %b %Y} by "
                f"{user.disabled_by}: {user.disabled_reason}"
            )
        detail.update(line)

    def _selected(self) -> str | None:
        table = self.query_one("#users-table", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def _selected_user(self) -> UserView | None:
        user = self._users.get(self._selected() or "")
        if user is None:
            self.notify("Highlight a user first.", severity="warning")
        return user

    # -- actions --------------------------------------------------------------------

    def action_add(self) -> None:
        from nextcars_tui.services.auth import add_user

        desk, actor = self.desk, self.actor
        fields = [
            FormField(
                "username",
                "Username",
                placeholder="2–32 letters, digits, . _ -",
                check=parse_username,
            ),
            FormField("role", "Role", "staff", choices=_ROLE_NAMES),
            FormField(
                "password",
                "Password",
                password=True,
                placeholder="at least 8 characters",
                check=parse_password,
            ),
            FormField("repeat", "Repeat", password=True),
            FormField("link", "Linked to", placeholder=_LINK_HINT),
        ]

        def save(values: Values) -> UserView:
            password = _same_passwords(values)
            link = values["link"].strip() or None
            return add_user(desk, actor, values["username"], values["role"], password, link)

        self._open(RecordFormDialog("Add a user", fields, save, save_label="Add"), "Added")

    def action_change_role(self) -> None:
        from nextcars_tui.services.auth import change_role

        user = self._selected_user()
        if user is None:
            return
        desk, actor, name = self.desk, self.actor, user.username
        fields = [
            FormField("role", "Role", user.role.value, choices=_ROLE_NAMES),
            FormField("link", "Linked to", user.linked_to or "", placeholder=_LINK_HINT),
        ]

        def save(values: Values) -> UserView:
            link = values["link"].strip() or None
            return change_role(desk, actor, name, values["role"], link)

        self._open(RecordFormDialog(f"Change the role of {name}", fields, save), "Changed")

    def action_reset_password(self) -> None:
        from nextcars_tui.services.auth import reset_password

        user = self._selected_user()
        if user is None:
            return
        desk, actor, name = self.desk, self.actor, user.username
        fields = [
            FormField(
                "password",
                "New password",
                password=True,
                placeholder="at least 8",
                check=parse_password,
            ),
            FormField("repeat", "Repeat", password=True),
        ]

        def save(values: Values) -> UserView:
            return reset_password(desk, actor, name, _same_passwords(values))

        note = "This also clears failed sign-ins and any lock."
        dialog = RecordFormDialog(f"Reset the password of {name}", fields, save, note=note)
        self._open(dialog, "Password reset for")

    def action_unlock(self) -> None:
        from nextcars_tui.services.auth import unlock

        user = self._selected_user()
        if user is None:
            return
        self.call_service(
            unlock,
            self.desk,
            self.actor,
            user.username,
            reply=self.Unlocked,
            group="unlock",
        )

    @on(Unlocked)
    def _unlocked(self, message: Unlocked) -> None:
        self._done("Unlocked", message.user)

    def action_disable(self) -> None:
        from nextcars_tui.services.accounts import disable_user

        user = self._selected_user()
        if user is None:
            return
        if user.disabled:
            self.notify(f"{user.username} is disabled already.", severity="warning", markup=False)
            return
        desk, actor, name = self.desk, self.actor, user.username
        fields = [
            FormField(
                "reason",
                "Reason",
                placeholder="left the company, on leave…",
                check=parse_disable_reason,
                max_length=MAX_REASON,
            )
        ]

        def save(values: Values) -> UserView:
            return disable_user(desk, actor, name, values["reason"])

        note = (
            "They can no longer sign in, and a desk signed in as them goes back to the "
            "sign-in screen. E enables the account again."
        )
        dialog = RecordFormDialog(f"Disable {name}", fields, save, save_label="Disable", note=note)
        self._open(dialog, "Disabled")

    def action_enable(self) -> None:
        from nextcars_tui.services.accounts import enable_user

        user = self._selected_user()
        if user is None:
            return
        if not user.disabled:
            self.notify(f"{user.username} is not disabled.", severity="warning", markup=False)
            return
        self.call_service(
            enable_user, self.desk, self.actor, user.username, reply=self.Enabled, group="enable"
        )

    @on(Enabled)
    def _enabled(self, message: Enabled) -> None:
        self._done("Enabled", message.user)

    def _open(self, dialog: RecordFormDialog, verb: str) -> None:
        self.app.push_screen(dialog, lambda view: self._done(verb, view))

    def _done(self, verb: str, view: UserView | None) -> None:
        if view is None:
            return
        self.notify(f"{verb} {view.username} ({view.role.value}).", title="Users", markup=False)
        self.reload()

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_change_role()
