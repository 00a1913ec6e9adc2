"""Every user-facing sentence, in one place (HTML parse mode).

Values interpolated from users or the catalogue must be escaped with :func:`html.escape`
by the caller before they are formatted into these templates.
"""

from __future__ import annotations

BOT_NAME = "CME Assistant"

# (command, one-line description) — the Telegram command menu and /help are built from this.
COMMANDS: list[tuple[str, str]] = [
    ("start", "Set up your profile and licences"),
    ("status", "How many credits do I still need?"),
    ("log", 'Log credits, e.g. /log 2.5 opioid "Safe prescribing" yesterday'),
    ("credits", "List, edit or delete logged credits"),
    ("undo", "Remove the last credit entry you logged"),
    ("licences", "List, add, edit or remove licences"),
    ("courses", "Find upcoming courses near you or online"),
    ("mycourses", "Courses you asked to be reminded about"),
    ("reminders", "Your upcoming reminders, quiet hours, pause"),
    ("transcript", "PDF and CSV of this cycle's credits, for an audit"),
    ("timezone", "Set your time zone from a city, ZIP or location"),
    ("export", "Download everything stored about you"),
    ("forget", "Delete everything stored about you"),
    ("privacy", "What this bot stores and why"),
    ("help", "Every command, one line each"),
]

START_NEW = (
    "Hello {name}! I'm the <b>{bot}</b>.\n"
    "• I track the CME credits each of your licences needs, by category and mandated topic.\n"
    "• Log credits in one line or send me a certificate; export everything for an audit.\n"
    "• I remind you before renewal deadlines and courses you pick, outside your quiet hours."
)
START_AGAIN = "Welcome back, {name}. Ask me <i>how many credits do I still need?</i> or try /help."

HELP_HEADER = "<b>What I can do</b>"
HELP_FOOTER = (
    "You can also just write, e.g. <i>I did 3 credits of ethics on Nov 3</i> or "
    "<i>courses near Boston next month</i>."
)

UNKNOWN_TEXT = (
    "Sorry, I didn't understand that. Try <i>how many credits do I still need?</i>, "
    "<i>log 2 credits ethics yesterday</i>, or /help for every command."
)
UNKNOWN_COMMAND = "I don't know the command {command}. /help lists the ones I do."
UNSUPPORTED_MESSAGE = (
    "I can read text, PDF certificates, photos and shared locations. /help shows what I do."
)
ERROR = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment."
)
GROUP_ONLY_PRIVATE = (
    "I keep CME records private, so I only talk about them in a private chat: "
    '<a href="{link}">message me privately</a>.'
)

BUTTON_EXPIRED = "This button has expired. Send the command again for fresh ones."

EXPORT_CAPTION = "Everything stored about you, as JSON."
EXPORT_CERTIFICATES = "Your certificates."
FORGET_CONFIRM = (
    "This deletes <b>everything</b> stored about you: licences, credits, certificates, "
    "course reminders. It cannot be undone (use /export first to keep a copy). Delete?"
)
FORGET_YES = "Delete everything"
FORGET_NO = "Keep my data"
FORGET_CANCELLED = "Nothing was deleted."
FORGET_DONE = (
    "Done: everything stored about you has been deleted and your reminders cancelled. "
    "If you write again, I will start from scratch."
)

CANCEL = "Cancel"
STATS = (
    "<b>Bot statistics</b>\n"
    "Clinicians: {s.clinicians_active} active, {s.clinicians_blocked} blocked\n"
    "Credit entries: {s.credit_entries} ({s.credit_entries_last_day} in the last day)\n"
    "Reminders: {s.reminders_pending} pending; last day {s.reminders_sent_last_day} sent, "
    "{s.reminders_failed_last_day} failed\n"
    "Courses: {s.courses}\n"
    "Feeds:\n{feeds}"
)
STATS_FEED = "• {url}: last refreshed {when}{error}"
STATS_NO_FEEDS = "• none configured"
BROADCAST_USAGE = "Write the announcement after the command: /broadcast New courses are online!"
BROADCAST_TOO_LONG = "That announcement is too long: keep it under {limit} characters."
BROADCAST_PREVIEW = "This goes to <b>{count}</b> active clinicians:\n\n{text}"
BROADCAST_SEND = "Send to {count}"
BROADCAST_CANCELLED = "Announcement cancelled; nothing was sent."
BROADCAST_QUEUED = "Queued for {count} clinicians. It goes out within Telegram's rate limits."
