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
    ("transcript", "PDF and CSV of this cycle's credits; add 'previous' for the cycle before"),
    ("timezone", "Set your time zone from a city, ZIP or location"),
    ("export", "Download everything stored about you"),
    ("forget", "Delete everything stored about you"),
    ("privacy", "What this bot stores and why"),
    ("cancel", "Stop the question I'm asking"),
    ("help", "Every command, one line each"),
]
# Shown by /help to admins only (QA: an admin could not find /stats or /broadcast).
ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("stats", "Clinicians, entries, reminders and course feeds at a glance"),
    ("broadcast", "An announcement to every clinician, after a preview"),
]
HELP_ADMIN_HEADER = "<b>For admins</b>"
HELP_ADMIN_UPLOAD = (
    "Send a course catalogue (CSV, iCalendar or JSON) as a file to import it; sending it "
    "again updates it (I ask before cancelling the courses it no longer lists)."
)

START_NEW = (
    "Hello {name}! I'm the <b>{bot}</b>.\n"
    "• I track the CME credits each of your licences needs, by category and mandated topic.\n"
    "• Log credits in one line or send me a certificate; export everything for an audit.\n"
    "• I remind you before renewal deadlines and courses you pick, outside your quiet hours."
)
START_AGAIN = "Welcome back, {name}. Ask me <i>how many credits do I still need?</i> or try /help."

ONBOARDING_CANCELLED = "Set-up stopped. /start picks it up again whenever you like."
HELP_HEADER = "<b>What I can do</b>"
HELP_FOOTER = (
    "You can also just write, e.g. <i>I did 3 credits of ethics on Nov 3</i> or "
    "<i>courses near Boston next month</i>."
)

YOU_ARE_WELCOME = "You're welcome! Ask me anytime, e.g. <i>how many credits do I still need?</i>"
UNKNOWN_TEXT = (
    "Sorry, I didn't understand that. Try <i>how many credits do I still need?</i>, "
    "<i>log 2 credits ethics yesterday</i>, or /help for every command."
)
CANCELLED = "OK, cancelled. /help lists what I can do."
NOTHING_TO_CANCEL = "There's nothing to cancel. /help lists what I can do."
UNKNOWN_COMMAND = "I don't know the command {command}. /help lists the ones I do."
UNKNOWN_COMMAND_CLOSE = "I don't know the command {command}. Did you mean /{close}?"
UNSUPPORTED_MESSAGE = (
    "I can read text, PDF certificates, photos and shared locations. /help shows what I do."
)
ERROR = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment."
)
REPLY_UNDELIVERED = (
    "Sorry, Telegram would not take my answer to your last message for a while. Whatever "
    "it changed is saved: /credits and /status show where you are."
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
    "Courses: {s.courses} upcoming or under way, by catalogue:\n{catalogues}\n"
    "Feeds:\n{feeds}"
)
STATS_FEED = "• {url}: last refreshed {when}{error}"
STATS_NO_FEEDS = "• none configured"
STATS_FEED_NOT_FETCHED = (
    "• {url}: configured, not fetched yet (the first refresh runs about 30 s after start)"
)
STATS_CATALOGUE = "• {source}: {count} (last changed {when})"
STATS_NO_CATALOGUES = "• none"

# ------------------------------------------------------------ operator (CLI) messages

IMPORT_CANCEL_REFUSED = (
    "{source} no longer lists {missing} of the {listed} upcoming courses it listed before "
    "(more than {share}%): importing it would cancel them and tell their subscribers, so "
    "nothing was changed. If the file is complete, run again with --allow-cancellations; "
    "to keep those courses listed, with --keep-missing"
)
IMPORT_NO_IDS = (
    "{count} course(s) have no id, so each is known by its title, start and place: "
    "correcting one of those later makes it a new course and cancels the old one (its "
    "clinicians are told). Give every row an id to avoid that."
)
FEED_CANCEL_REFUSED = (
    "no longer lists {missing} of the {listed} upcoming courses it listed before "
    "(more than {share}%), so nothing was changed: a cut-off feed would cancel them and tell "
    "their subscribers. If they really are gone: cme-bot courses import {url} "
    "--allow-cancellations"
)
SCHEMA_BEHIND = (
    "the database is at revision {current}, this version needs {head}: run `cme-bot db upgrade`"
)
SCHEMA_EMPTY = (
    "the database has no tables yet (no migrations applied), this version needs {head}: "
    "run `cme-bot db upgrade`"
)
SCHEMA_NEWER = (
    "the database is newer ({current}) than this code ({head}): upgrade the code "
    "(a newer cme-bot migrated it)"
)
SCHEMA_CURRENT_OK = "{current} (up to date)"
SCHEMA_CURRENT_PENDING = (
    "{current}: {pending} migration{plural} pending (head is {head}): run `cme-bot db upgrade`"
)
SCHEMA_CURRENT_NEWER = "{current}: newer than this code (its head is {head}): upgrade the code"
WEBHOOK_POLLER_RUNNING = (
    "a `cme-bot run` process is polling for this bot (same database): setting a webhook "
    "would cut it off from its updates. Stop it first, then start the `cme-bot webhook` "
    "processes"
)
POLL_WEBHOOK_SET = (
    "a webhook is set for this token ({url}): Telegram sends the updates there, and "
    "polling would delete it, leaving the webhook processes with nothing. Keep to "
    "`cme-bot webhook` processes, or stop them and start `cme-bot run --take-over-webhook`"
)
POLL_WEBHOOK_TAKEN_OVER = (
    "deleting the webhook {url} (--take-over-webhook): from now on this process gets the "
    "updates, and webhook processes get none"
)
POLL_WEBHOOK_APPEARED = (
    "a webhook was set for this token while this process polled ({url}; by a `cme-bot "
    "webhook` process?): Telegram now refuses getUpdates (409 Conflict: can't use getUpdates "
    "method while webhook is active) and sends the updates there. Keep to webhook "
    "processes, or stop them and start `cme-bot run --take-over-webhook`"
)
POLL_CONFLICT_STARTED = (
    "another process is polling with this token (409 Conflict: {reason}); it does not hold "
    "this database's poller lock, so it runs on another host or with another database, and "
    "each update goes to one of the two. Stop one of them: this one stops by itself if the "
    "conflicts go on for {grace:g} s (from POLL_CONFLICT_SECONDS)"
)
POLL_CONFLICT_ENDED = "no 409 Conflict for {quiet:g} s: the other poller has stopped"
POLL_CONFLICT_GAVE_UP = (
    "stopped after {seconds:.0f} s of 409 Conflicts: another process polls with this token, "
    "on another host or with another database, and each update went to one of the two. "
    "Run one polling process (or several `cme-bot webhook` processes on one database)"
)
POLL_CONFLICT_NEWCOMER = (
    " (Telegram answered this process's first poll with 409 Conflict: the other one is on "
    "another host or uses another database)"
)
NO_SQLITE_DATABASE = (
    "no SQLite database at {path} (DATABASE_URL): check the path and the working folder; "
    "`cme-bot db upgrade` creates one"
)
BROADCAST_USAGE = "Write the announcement after the command: /broadcast New courses are online!"
BROADCAST_TOO_LONG = "That announcement is too long: keep it under {limit} characters."
BROADCAST_PREVIEW = (
    "This goes to <b>{count}</b> active clinician(s), each now or when their quiet hours "
    "end:\n\n{text}"
)
BROADCAST_SEND = "Send to {count}"
BROADCAST_CANCELLED = "Announcement cancelled; nothing was sent."
BROADCAST_QUEUED = (
    "Queued for {count} clinician(s). It goes out within Telegram's rate limits, after "
    "each one's quiet hours."
)

# ---------------------------------------------------------------- status
STATUS_NO_LICENCES = (
    "You have no licences or certifications yet, so I can't tell what you still need.\n"
    "Add one with /licences (e.g. <i>Texas</i>, <i>Florida MD</i>, <i>ABIM</i>), or describe "
    "your own: <i>I need 40 credits by 2027-06-30, 2 of them ethics</i>."
)
STATUS_HEADER = "<b>{label}</b> — {rule}"
STATUS_CYCLE = ", this cycle {start} – {end}"  # a described requirement that recurs
STATUS_PROGRESS = "{bar} {earned} / {required} {unit} ({percent}%)"
STATUS_PROGRESS_MINIMUMS_SHORT = (
    "{bar} {earned} / {required} {unit}: the total is met, not every requirement below"
)
STATUS_DEADLINE = "Due <b>{deadline}</b> — {days} days left"
DEADLINE_LINE = "• <b>{label}</b>: {when}{left}"  # {when}: the status's deadline line
DEADLINE_LINE_LEFT = "; {remaining} {unit} to go"
DEADLINE_LINE_DONE = "; complete ✅"
DEADLINE_LINE_UNKNOWN = "• <b>{label}</b>: no deadline yet (a fact is missing: /licences)"
DEADLINE_LINES_MORE = "Everything else: /status."
STATUS_DEADLINE_TOMORROW = "Due <b>tomorrow</b> ({deadline})"
STATUS_DEADLINE_TODAY = "Due <b>today</b> ({deadline})"
STATUS_PAST_DUE = "⚠️ <b>Overdue by {days} days</b> (it was due {deadline})"
STATUS_PAST_DUE_ONE_DAY = "⚠️ <b>Overdue by 1 day</b> (it was due {deadline})"
STATUS_PREVIOUS_SHORT = (
    "⚠️ The cycle that ended {deadline} was <b>{short} {unit} short</b>. "
    "If you have not renewed yet, check with the board."
)
STATUS_STARTS_LATER = (
    "This cycle starts <b>{start}</b> (you renewed early): credits earned before then "
    "count toward the renewal already made, not this one."
)
STATUS_PACE = "Pace needed: about {pace} {unit} a week"
STATUS_REMAINING = "Still needed: <b>{remaining}</b> {unit}"
STATUS_REMAINING_TOPICS = (  # QA: Florida's total met, 3 topics of 2 h open: "Still needed: 2"
    "Still needed: <b>{remaining}</b> {unit} (the open topics below add up: a course on one "
    "does not count toward another)"
)
NEEDED_AT_LEAST = "at least {remaining}"  # a figure a course on several topics may lower
STATUS_COMPLETE = "✅ <b>Complete</b> for this cycle: nothing more is needed by {deadline}."
STATUS_OVERDUE = (
    "⚠️ The cycle that ended {deadline} is short by {remaining} {unit}. "
    "You can still make them up until <b>{makeup_until}</b>."
)
STATUS_CATEGORY = "• {label}: {earned} of {required}{rest}"
STATUS_ACTIVITY_COUNT = "• Activities completed: {counted} of {required}{rest}"
STATUS_MANDATE = "• {title}: {earned} of {required} h{rest} <i>({why})</i>"
STATUS_MANDATE_NOTE = "  <i>{notes}</i>"
STATUS_MANDATE_DONE_ON = "; done {day}"
STATUS_MANDATE_NOT_LOGGED = (
    "  No training is logged for it: if you did it, /log it with its date (any date counts: "
    "it is done once)."
)
STATUS_LEFT = " — <b>{remaining} to go</b>"
STATUS_DONE_MARK = " ✓"
STATUS_NOT_DUE = "Not required this cycle: {titles}"
STATUS_NOT_DUE_ITEM = "{title} ({why})"
STATUS_CAPPED = "Only {counted} of your {claimed} {label} credits count (cap {limit})."
STATUS_CARRY = "Includes {applied} {unit} carried over from the previous cycle."
STATUS_UNCERTAIN = "⚠️ <i>Worth checking: {note}</i>"  # disagreements and assumptions alike
STATUS_SOURCE = "Source: {citation} (checked {checked})"
STATUS_SOURCE_CUSTOM = "Source: as you described it on {checked}"
STATUS_MISSING = "<b>{label}</b>: I need {facts} to work out the deadline. Use /licences to add it."
STATUS_PROBLEM = "<b>{label}</b>: I can't compute this one ({problem}). Use /licences to fix it."
# "am I on track?": one verdict line per licence above the figures
VERDICT_COMPLETE = "✅ <b>{label}</b>: yes — complete for this cycle."
VERDICT_NOT_STARTED = "✅ <b>{label}</b>: nothing is due yet — its cycle starts {start}."
VERDICT_PREVIOUS_SHORT = (
    "⚠️ <b>{label}</b>: no — the cycle due {deadline} ended {short} {unit} short."
)
VERDICT_NOT_YET = "⏳ <b>{label}</b>: not yet — {remaining} {unit} to go by {deadline}."
VERDICT_ON_TRACK = (
    "✅ <b>{label}</b>: yes, on track — {counted} of {required} {unit} done with "
    "{elapsed}% of the cycle gone."
)
VERDICT_BEHIND = (
    "⚠️ <b>{label}</b>: behind — a steady pace would have {expected} of {required} {unit} "
    "by now; you have {counted}."
)
VERDICT_BEHIND_PACE = " About {pace} {unit} a week until {deadline} gets you there."
VERDICT_OVERDUE = (
    "⚠️ <b>{label}</b>: no — its deadline ({deadline}) has passed with {remaining} {unit} to go."
)
STATUS_SEPARATOR = "\n\n"  # between licences in one /status message
STATUS_TOPIC_HEADER = "<b>{label}</b> — due {deadline}"
STATUS_TOPIC_NOT_DUE = "• {title}: not due this cycle"
STATUS_NOT_HELD = (
    "You haven't added <b>{label}</b>, so I can't tell what it needs. Add it, and I'll "
    "count your credits toward it too."
)
STATUS_ADD_HELD = "➕ Add {label}"
STATUS_NOTHING_DUE_BY = (
    "Nothing is due by {limit}. Your next deadline: <b>{label}</b>, {deadline}, with "
    "{remaining} {unit} to go. /status shows everything."
)
STATUS_NOTHING_DUE_BY_DONE = "Nothing is due by {limit}: every licence is complete ✓."
STATUS_TOPIC_NONE = (
    "None of your licences asks for <b>{topics}</b> hours of its own; such credits count "
    "toward the totals like any other. /status shows everything."
)
STATUS_NOTES_BUTTON = "📖 Notes: {label}"
RULE_NOTES = (
    "📖 <b>{label}</b>: worth checking\n{note}\n\nSource: {source}\n{citation} (checked "
    "{checked})"
)
STATUS_CHART_BUTTON = "📊 Chart: {label}"
STATUS_COURSES_BUTTON = "Courses that fit"
FACT_NAMES = {
    "renewal_date": "your next renewal date",
    "birth_month": "your birth month",
    "birth_year": "your birth year",
    "issued_on": "the date the licence was issued",
}

# ---------------------------------------------------------------- onboarding & licences
ONBOARD_PROFESSION = (
    "Let's set you up — about two minutes, and you can skip any step.\n"
    "<b>What is your profession?</b>"
)
ONBOARD_PROFESSIONS = [
    ("Physician (MD)", "md"), ("Physician (DO)", "do"), ("PA", "pa"),
    ("Nurse practitioner", "np"), ("Nurse", "rn"), ("Pharmacist", "pharmacist"),
]  # fmt: skip
SKIP = "Skip"
DONE = "Done"
ONBOARD_DONE = (
    "All set. Ask me <i>how many credits do I still need?</i>, log credits with "
    "<i>/log 2 ethics yesterday</i>, or send me a certificate PDF."
)
ONBOARD_RESUME = "Let's continue where we left off."
SETUP_STILL_OPEN = (
    "↩️ Your set-up is not finished: answer its last question above when you're ready, "
    "or send /start to see it again."
)
PROFESSION_SET = "Profession set to <b>{profession}</b>."
PROFESSION_SET_LICENCES = " Your licences stay as they are: /licences to change them."
ONBOARD_PROFESSION_AGAIN = (
    "Which of these is your profession? Press one, or type it (e.g. <i>MD</i>, "
    "<i>nurse</i>); Skip if none fits."
)
ONBOARD_ENDED_EARLY = (
    "Set-up done for now. Your time zone is <b>{zone}</b>: if you practise elsewhere, "
    "/timezone sets it, so reminders come in your daytime."
)
LICENCE_ASK = (
    "<b>Which licence or certification?</b> Type a state or board (e.g. <i>Texas</i>, "
    "<i>Florida MD</i>, <i>ABIM</i>, <i>DEA</i>) or tap one below.\n"
    "Not listed? Describe it: <i>I need 40 credits by 2027-06-30, 2 of them ethics</i>."
)
LICENCE_ASK_NO_STATE = (
    "<b>Which licence or certification?</b> I don't have state rules for a {profession} "
    "licence yet, so describe its requirement and I'll track it exactly: <i>I need 30 "
    "credits by 2027-06-30, 2 of them ethics</i>."
)
LICENCE_ASK_OR_TAP = " Or tap one below."
LICENCE_NOT_FOUND = (
    "I don't have rules for “{text}”. Try a state or board name, or describe your own "
    "requirement: <i>I need 40 credits by 2027-06-30, 2 of them ethics</i>."
)
LICENCE_LOG_FIRST = (
    "That looks like credits to log: I'll count them once I know the licence. Which "
    "licence is it? Type its state or board, or pick one above; then send the credits again."
)
LICENCE_PICK = "Several match “{text}”. Which one?"
LICENCE_PROFESSION_NOT_SHIPPED = (
    "I don't have the rules for a <b>{profession}</b> licence there yet. What I know for "
    "“{text}” is for another profession ({others}), and I won't count your credits "
    "against it.\nDescribe your requirement instead and I'll track it exactly: "
    "<i>I need 40 credits by 2027-06-30, 2 of them ethics</i>."
)
PROFESSION_NAMES = {"lpn": "licensed practical nurse"}  # beyond the vocabulary's labels
LICENCE_DUPLICATE = "You already have <b>{label}</b> ({when}), so I didn't add it again."
LICENCE_RENEWS = "renews {deadline}"
LICENCE_RENEWS_UNKNOWN = "renewal date unknown"
LICENCE_CHANGE_DATE = "Change its renewal date"
LICENCE_RENEWAL_ASK = (
    "<b>{rule}</b>\nWhen does it next expire (your renewal deadline)? "
    "E.g. <i>2027-06-30</i> or <i>June 30 2027</i>."
)
LICENCE_RENEWAL_UNKNOWN = "I don't know"
LICENCE_RENEWAL_BAD = (
    "I couldn't read “{text}” as a date. Please write it like <i>2027-06-30</i> or "
    "<i>June 30 2027</i>."
)
LICENCE_DATE_IMPOSSIBLE = "“{text}” is not a real date. Please check the day and the month."
LICENCE_ISSUED_RANGE = "That date looks off: a licence was issued between {low} and today."
LICENCE_RENEWAL_RANGE = "That date looks off: a renewal deadline is between {low} and {high}."
LICENCE_RENEWAL_TOO_FAR = (
    "{label} renews every {months} months, so the next deadline is no later than "
    "{latest}: {typed} is a later renewal. Did you mean <b>{suggested}</b>? "
    "If {typed} really is on your licence (renewed early?), send it again and I'll keep it."
)
LICENCE_RENEWAL_BEYOND = (
    "{label} renews every {months} months: even renewed early, its deadline is no later "
    "than {early}, so {typed} can't be the one on your licence. Did you mean "
    "<b>{suggested}</b>?"
)
LICENCE_DATE_ON_RULE_DAY = "{label} deadlines fall on {on}: I'll use <b>{deadline}</b>."
LICENCE_RENEWAL_KEPT = "Keeping {typed} (renewed early)."
LICENCE_RENEWAL_SUGGESTED = "Yes, {suggested}"
LICENCE_DATE_CHANGED = "Updated: <b>{label}</b> now renews {deadline}."
LICENCE_DATE_PASSED = (
    "Updated: <b>{label}</b>. {typed} has passed, so I count toward the next deadline, "
    "<b>{next}</b> (while a make-up window is open, the status says so)."
)
LICENCE_SETUP_DATE_PASSED = (
    "{typed} has passed, so I'll count toward the next deadline, <b>{next}</b>. Not "
    "renewed yet? Log that cycle's credits with their dates and /status shows what it lacks."
)
LICENCE_BIRTH_ASK = (
    "This one renews around your birthday. <b>Which month and year were you born?</b> "
    "E.g. <i>March 1980</i>."
)
LICENCE_BIRTH_BAD = "Please write a month and a year, like <i>March 1980</i>."
LICENCE_ISSUED_ASK = (
    "<b>When was the licence issued?</b> E.g. <i>2019-07-15</i> or <i>March 2019</i>."
)
LICENCE_ISSUED_YEAR_ONLY = (
    "Which month of {year}? Its cycles run from that date, e.g. <i>March {year}</i>."
)
LICENCE_NOT_ADDED_NO_DATE = (
    "Without the issue date or the renewal date I can't tell when its cycles end, so I "
    "haven't added it. /licences adds it when you have one of them (both are on the "
    "certificate)."
)
LICENCE_NEED_DATE = (
    "I need the renewal date for this one (it is assigned individually). You find it on "
    "your licence or the board's website. Please type it, e.g. <i>2027-06-30</i>."
)
LICENCE_RENEWALS_ASK = (
    "How many times have you <b>already renewed</b> this licence? "
    "(Some topics are due only at the first or every third renewal.)"
)
LICENCE_RENEWALS_MORE = "6 or more: type it"
LICENCE_RENEWALS_TYPE = "Type the number of renewals so far, e.g. <i>7</i>."
LICENCE_RENEWALS_BAD = (
    "Please type a whole number of renewals between 0 and 40, or press “I don't know”."
)
LICENCE_FLAG_ASK = "One more question for this licence: <b>{question}</b>"
FLAG_QUESTIONS = {
    "dea_registrant": "Do you hold a DEA registration (you prescribe controlled substances)?",
    "direct_patient_care": "Do you provide direct patient care?",
    "geriatric_panel_over_25pct": "Are over 25% of your patients aged 65 or older?",
    "pain_clinic": "Do you work in a pain-management clinic?",
}
LICENCE_SPECIALTY_ASK = (
    "One more question for this licence: <b>what is your specialty?</b> One of its "
    "requirements applies only to some."
)
SPECIALTY_OTHER = "Another specialty"
SPECIALTY_UNKNOWN = "I don't know the specialty “{text}”. Tap one below, or type it."
SPECIALTY_SAVED = (
    "Noted: your specialty is <b>{specialty}</b>. What depends on it is counted from now on."
)
YES = "Yes"
NO = "No"
LICENCE_SAVED = "Saved <b>{label}</b>."
LICENCE_ADD_ANOTHER = "Add another licence"
LICENCES_DONE = "All set. /status shows where each licence stands; /licences changes them."
LICENCE_CUSTOM_SAVED = "Saved your requirement: {description}."
LICENCE_CUSTOM_TOPIC = "{hours} {unit} of {topic}"
LICENCE_CUSTOM_TOPICS_ADDED = (
    "Added to <b>{label}</b>: {added}, within its {total} {unit}. /status shows it."
)
LICENCE_CUSTOM_TOPICS_OVER = (
    "Its topics would then ask for more than <b>{label}</b>'s {total} {unit} in all, so I "
    "changed nothing. To change the total, remove it in /licences and describe it anew."
)
LICENCE_CUSTOM_ALREADY = (
    "You already track exactly this requirement (<b>{label}</b>), so I didn't add it again. "
    "To change it, remove it in /licences and describe it anew."
)
LICENCE_CUSTOM_ASSUMED = (
    "\nI assumed a {years}-year cycle, so what you log from its start counts. If yours "
    "began on another day, remove it in /licences and send it again with the start, e.g. "
    "<i>75 credits from 2024-07-01 to 2029-06-30</i>."
)
LICENCE_CUSTOM_PAST = (
    "\n{deadline} has passed: I'll show what was still owed by then. If that cycle is over, "
    "change the date in /licences or describe the next one (<i>I need {total} credits by "
    "{example}</i>)."
)
LICENCE_CUSTOM_ROLLED = (
    "\n{typed} has passed; as it renews {years}, I counted the cycle from {start} to "
    "{deadline}. If you have not renewed yet, change the date in /licences."
)
EVERY_YEAR = "every year"
EVERY_N_YEARS = "every {n} years"
CUSTOM_WINDOW_KEPT_START = (
    "Your requirement now runs from {start} to {deadline}, so what you logged keeps "
    "counting. If a new cycle starts later, delete this one in /licences and describe the "
    "new one: <i>I need {total} credits from {iso_start} to {iso_deadline}</i>."
)
CUSTOM_LABEL = "My requirement"
LABEL_NUMBERED = "{label} {number}"  # "My requirement 2" beside "My requirement"
LICENCE_LIST_HEADER = "<b>Your licences and certifications</b>"
LICENCE_LIST_ITEM = "{index}. {label} — renews {deadline}"
LICENCE_LIST_ITEM_UNKNOWN = "{index}. {label} — renewal date unknown"
LICENCE_LIST_MUTED = " — reminders muted (/reminders unmutes)"
LICENCE_ADD = "➕ Add"
LICENCE_REMOVE = "Remove {index}"
LICENCE_EDIT_DATE = "Renewal date {index}"
LICENCE_RENAME = "Rename {index}"
LICENCE_ANSWERS = "Answers {index}"
LICENCE_ANSWERS_AGAIN = "The questions about <b>{label}</b> again; your answers replace the old."
LICENCE_ANSWERS_SAVED = "Updated your answers for <b>{label}</b>."
LICENCE_RENAME_ASK = "What should I call <b>{label}</b>? Send the new name, e.g. <i>Ohio RN</i>."
LICENCE_RENAME_EMPTY = "A name needs a letter or a digit. Send the new name, or /cancel."
LICENCE_RENAMED = "Renamed: <b>{label}</b>. Reminders, /status and exports use the new name."
LICENCE_REMOVE_CONFIRM = "Remove <b>{label}</b>? Your logged credits stay."
LICENCE_REMOVE_YES = "Remove it"
LICENCE_REMOVED = "Removed <b>{label}</b>. Your credits are untouched."
LICENCE_GONE = "That licence no longer exists."
CUSTOM_FAILED = "I couldn't read that requirement: {message}"
CUSTOM_USE_TOPIC = "Yes: {topic}"

# ---------------------------------------------------------------- time zone
TIMEZONE_ASK = (
    "<b>Where do you practise?</b> Send a city or ZIP code (e.g. <i>Boston</i>, "
    "<i>Portland, ME</i>, <i>02115</i>) or share your location, so reminders arrive in "
    "your daytime. Now using {zone}."
)
LOCATION_INVALID = (
    "That location isn't on the map (latitude −90…90, longitude −180…180). "
    "Share it again, or type a city or ZIP code."
)
TIMEZONE_SHARE_LOCATION = "📍 Share my location"
TIMEZONE_ASK_STATE = (
    "<b>Where do you practise?</b> Your licence is in {state}, so reminders now follow "
    "<b>{zone}</b>. If you work elsewhere, send a city or ZIP code (e.g. <i>Boston</i>, "
    "<i>02115</i>) or share your location, so reminders arrive in your daytime."
)
TIMEZONE_SKIP_HINT = "Or keep the time zone as it is:"
TIMEZONE_SET = "Time zone set to <b>{zone}</b> ({place}). Your local time is {local}."
TIMEZONE_PICK = "Several places are called that. Which one?"
TIMEZONE_KEPT = "Time zone left at <b>{zone}</b>: /timezone changes it."
TIMEZONE_NOT_FOUND = "I don't know “{text}”. Try a city and state, or a ZIP code."
TIMEZONE_SUGGEST = (
    "I don't know “{text}”. Did you mean one of these? If not, try a city and state, "
    "or a ZIP code."
)
TIMEZONE_REGION_ONLY = "That's a whole state or country; which city?"
TIMEZONE_CLOSE_SPELLING = "Which one did you mean?"
TIMEZONE_SET_ZONE = "Time zone set to <b>{zone}</b>{label}. Your local time is {local}."
TIMEZONE_FIXED_NOTE = (
    " A fixed offset does not follow daylight saving time; send your city if yours does."
)
TIMEZONE_ZONE_UNKNOWN = (
    "I don't know the time zone “{text}”.{hint} Try a zone like <i>America/Chicago</i>, "
    "<i>Central</i> or <i>UTC+2</i>, or a city."
)
TIMEZONE_ZONE_SUGGEST = " Did you mean {names}?"
TIMEZONE_AMBIGUOUS = (
    "“{text}” is Mountain time with daylight saving (Denver) or without it (Arizona). "
    "Send {zones}, or your city."
)
TIMEZONE_TRAVEL_CONFIRM = "Move your time zone there? Press the place to confirm."
TIMEZONE_UNTIL_HINT = (
    "When you're back, tell me (e.g. <i>back in Philadelphia</i>) and your reminders follow "
    "you home."
)
TIMEZONE_PARTIAL_HOUR = (
    "I can only set whole-hour offsets such as <i>UTC+5</i>. For “{text}”, send your city "
    "instead (e.g. <i>Mumbai</i>)."
)

# ---------------------------------------------------------------- reminders
REMINDER_RENEWAL = (
    "⏰ <b>{label}</b> renews in <b>{days} days</b> ({deadline}).\n"
    "Still needed: <b>{remaining}</b> {unit}{gaps}.\n"
    "Pace: about {pace} {units} a week."
)
REMINDER_RENEWAL_SOON = (  # under a week: a weekly pace means little (QA: "245 a week")
    "⏰ <b>{label}</b> renews in <b>{days} days</b> ({deadline}).\n"
    "Still needed: <b>{remaining}</b> {unit}{gaps}."
)
REMINDER_RENEWAL_TOMORROW = (
    "⏰ <b>{label}</b> is due <b>tomorrow</b> ({deadline}). Still needed: <b>{remaining}</b> "
    "{unit}{gaps}."
)
REMINDER_RENEWAL_TODAY = (
    "⏰ <b>{label}</b> is due <b>today</b> ({deadline}). Still needed: <b>{remaining}</b> "
    "{unit}{gaps}."
)
REMINDER_MAKEUP = (
    "⚠️ <b>{label}</b>: the cycle due {deadline} is still short. Credits earned by "
    "<b>{until}</b> ({days} days) make it up.\nStill needed: <b>{remaining}</b> {unit}{gaps}."
)
REMINDER_GAPS = ", including {gaps}"
REMINDER_GAP = "{hours} {unit} of {topic}"
REMINDER_COMPLETE = (
    "🎉 <b>{label}</b> is complete for this cycle (due {deadline}). "
    "Keep your certificates: /transcript makes an audit-ready summary."
)
# the day after a deadline
CYCLE_CLOSED = (
    "🔄 <b>{label}</b>: the cycle due {deadline} is behind you, complete ✅. "
    "Its audit file: /transcript previous."
)
ONE_WINDOW_ENDED = "🔄 <b>{label}</b>: its deadline, {deadline}, has passed{how}."
ONE_WINDOW_ENDED_COMPLETE = ", complete ✅"
ONE_WINDOW_ENDED_SHORT = ", {short} {unit} short"
ONE_WINDOW_ASK = (
    "Does it come back? “Same again” keeps tracking it for another {length}, to {next}; "
    "or give its next deadline, or remove it."
)
ONE_WINDOW_AGAIN = "🔁 Same again, due {next}"
ONE_WINDOW_OTHER_DATE = "📅 Another date"
ONE_WINDOW_REMOVE = "🗑 Remove it"
STATUS_ONE_WINDOW_PASSED = (
    "🔄 Its deadline has passed. If it comes back, set the next one: /licences → Renewal date."
)
CYCLE_CLOSED_UNKNOWN = (
    "🔄 <b>{label}</b>: the cycle due {deadline} is behind you. Nothing was logged here for "
    "it, so I can't tell whether it was complete. If you did something for it, /log it with "
    "its date: your transcript then shows it."
)
CYCLE_CLOSED_SHORT = (
    "🔄 <b>{label}</b>: the cycle due {deadline} ended {short} {unit} short. If your board "
    "asks, those credits are still owed. Its audit file: /transcript previous."
)
CYCLE_NEXT = (
    "The next cycle runs {start} – {deadline}: {required} {unit}{carry}. What you log from "
    "now counts toward it. Renewal date different? Change it in /licences."
)
CYCLE_NEXT_CARRY = ", of which {applied} {unit} carried over"
# A registration that asks only a one-time training (DEA): not "0 credits. What you log
# from now counts toward it." (QA).
CYCLE_NEXT_ONE_TIME_DONE = (
    "Nothing more to log for it: its one-time training ({titles}) is done{done}. It renews "
    "next on {deadline}: a different date? Change it in /licences."
)
CYCLE_NEXT_ONE_TIME_DONE_ON = " (completed {day})"
CYCLE_NEXT_ONE_TIME_OPEN = (
    "It asks only for a one-time training ({titles}), and none is logged: if you did it, "
    "/log it with its date (any date counts). It renews next on {deadline}: a different "
    "date? Change it in /licences."
)
CYCLE_NEXT_ONE_TIME_DUE = (
    "It asks only for a one-time training ({titles}), due by {deadline}, when it renews: "
    "/log it once done (an earlier one counts too). Renewal date different? Change it in "
    "/licences."
)
CYCLE_NEXT_ONE_TIME_ITEM = "{title}, {hours} h"
CYCLE_ENDED_MAKEUP = (
    "⚠️ <b>{label}</b>: the cycle due {deadline} ended {short} {unit} short. Credits you earn "
    "by {until} make it up: /status shows what is missing."
)
CYCLE_ENDED_SHORT = (
    "⚠️ <b>{label}</b>: the deadline {deadline} has passed with {short} {unit} to go. "
    "/status shows what is missing."
)
REMINDER_COURSE = "📅 Reminder: <b>{title}</b> starts {when} ({local}).{where}"
REMINDER_COURSE_WHERE = "\n📍 {place}"
REMINDER_COURSE_PAGE = "🔗 {host}"
REMINDER_COURSE_VENUE_TIME = "; {local} where it takes place"
REMINDER_COURSE_DETAILS = "Details"
REMINDER_COURSE_FOLLOW_UP = (
    "How was <b>{title}</b>? If you attended, log its {amount}: the button fills in the "
    "title, date, credit type and topics for you to check."
)
REMINDER_COURSE_LOG = "✅ Log {amount}"
COURSE_NOT_LOGGABLE = "This course has not taken place yet, so there is nothing to log."
REMINDER_COURSE_IN_MINUTES = "in {minutes} minutes"
REMINDER_COURSE_IN = "in {span}"
REMINDER_COURSE_HOURS = ("{hours} hour", "{hours} hours")
REMINDER_COURSE_HOURS_MINUTES = "{hours} {minutes} minutes"
REMINDER_COURSE_TODAY = "today"
REMINDER_COURSE_TOMORROW = "tomorrow"
REMINDER_COURSE_ON = "on {day}"
REMINDER_COURSE_ALL_DAY = "{day}, all day"
REMINDER_COURSE_ONLINE = "\n💻 Online"
REMINDER_COURSE_MOVED = "🔁 <b>{title}</b> has moved: it now starts {local}."
REMINDER_COURSE_CANCELLED = "❌ <b>{title}</b> ({local}) has been cancelled by the provider."
# Reminders due together, said in one message: buttons that read alike but belong to
# different parts ("Snooze 1 day" of two licences) carry their part's number.
MERGED_MARKS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")
MERGED_PART = "{mark} {text}"
MERGED_BUTTON = "{mark} {label}"
SNOOZE_DAY = "Snooze 1 day"
SNOOZE_WEEK = "Snooze 1 week"
STOP_REMINDERS = "Stop these reminders"
SNOOZE_CYCLE_ENDED = (
    "That reminder was about a deadline that has passed, so there is nothing to snooze. "
    "/status shows where <b>{label}</b> stands now."
)
SNOOZE_NO_LATER = (
    "The deadline is {deadline}, so there is no later reminder to move this one to: this "
    "was the last. /status shows what is left."
)
SNOOZED = "OK, I'll remind you again on {when}."
STOPPED = "Renewal reminders for <b>{label}</b> are off. /reminders turns them back on."

# ---------------------------------------------------------------- logging credits
LOG_ASK = (
    "<b>What did you do?</b> One line is enough, e.g.\n"
    '<i>2.5 opioid "Safe prescribing" yesterday</i>\n'
    "<i>1 credit ethics grand rounds on Nov 3</i>\n"
    "Or send me the certificate (PDF)."
)
LOG_CONFIRM = (
    "<b>{question}</b>\n"
    "• {amount} — {category}{also}\n"
    "• Topics: {topics}\n"
    "• Title: {title}{provider}\n"
    "• Completed: {date}{date_note}"
)
LOG_PROVIDER = "\n• Provider: {provider}"
LOG_ALSO = "\n• and {amount} — {category} (the same activity)"
LOG_DATE_ASSUMED = " <i>(today: tap 📅 Date if not)</i>"
LOG_DATE_LONG_AGO = " <i>(⚠️ {years} years ago: check the year, tap 📅 Date if wrong)</i>"
LOG_CATEGORY_ASSUMED = " <i>(your usual kind: tap 🏷 Category if not)</i>"
LOG_QUESTION_NEW = "Log this?"
LOG_QUESTION_EDIT = "Change this entry to:"
LOG_NO_TOPICS = "none"
# "18 contact hours including 6 pharmacology": the parts on a topic of their own.
LOG_TOPICS_IN_PARTS = "{parts} of the {whole}; {rest_topics} for the other {rest}"
LOG_TOPICS_PART = "{topics} for {amount}"
LOG_TOPICS_ALL_IN_PARTS = "{parts} of the {whole}"
LOG_NO_TOPIC = "no topic"
LOG_TOPIC_HINT = (
    " Type a topic, e.g. <i>pharmacology</i>, <i>none</i> for no topic, or the hours of a "
    "part, e.g. <i>6 of the 18 hours were pharmacology</i>."
)
LOG_PART_WHOLE_DIFFERS = (
    "This is {amount}, not {whole}: tap 🔢 Amount to change the whole first, then tell me "
    "the part again."
)
LOG_LESS_THAN_PARTS = (
    "{parts} {unit} of it are on a topic of their own, so the whole can't be less. How many "
    "{unit} in all? (🧩 Topic changes the parts.)"
)
LOG_PARTS_NOTE = (
    "\n<i>Logged as {count} entries of this activity: {entries}; so {counted}, not all "
    "{whole}.</i>"
)
LOG_PART_COUNTED = "{amount} count toward {topics}"
LOG_PART_ENTRY = "{amount} of {topics}"
LOG_PART_ENTRY_NO_TOPIC = "{amount} with no topic"
LOG_SAVED_PARTS = "{whole} ({parts})"
LOG_SAVED_PART = "{amount} of them {topics}"
LOG_ROUNDED = (
    "\n<i>{typed} rounded to {amount}: amounts keep two decimals (🔢 Amount if that is "
    "wrong).</i>"
)
LOG_CEUS = "{ceus} CEU{s}"
LOG_ASK_CEUS = (
    "<b>{ceus}: {as_ceus} or {as_hours}?</b>\n"
    "One CEU is ten contact hours (IACET and ANCC), but CEUs often mean hours. Choose, "
    "then check the entry before saving."
)
LOG_CEUS_AS_CEUS = "{amount} ({ceus})"
LOG_UNREAD = (
    "\n<i>I didn't understand “{words}”: if it was a date or a topic, set it with the "
    "buttons below.</i>"
)
LOG_UAN_INCOMPLETE = (
    "\n<i>“{words}” is not a whole UAN (one reads like 0204-0000-26-045-H05-P), so it is "
    "not kept: send the line again with the whole number to keep it.</i>"
)
LOG_TOPIC_SUGGEST = "Did you mean {topic}?"
LOG_TOPIC_NARROWER = "✔️ It was {topic}"
LOG_NARROWER_NOTE = (
    "\n⚠️ <i>A mandate of yours counts only {topics}: if this course was, press the "
    "✔️ button, or it won't count toward that mandate.</i>"
)
LOG_SAVE = "✅ Save"
LOG_CHANGE_DATE = "📅 Date"
LOG_CHANGE_AMOUNT = "🔢 Amount"
LOG_CHANGE_CATEGORY = "🏷 Category"
LOG_CHANGE_TOPIC = "🧩 Topic"
LOG_CHANGE_TITLE = "✏️ Title"
LOG_CHANGE_PROVIDER = "🏛 Provider"
LOG_ASK_TITLE = "What is the activity called? E.g. <i>Opioid Prescribing Update 2026</i>."
LOG_ASK_PROVIDER = (
    "Who provided it (the accredited provider named on the certificate)? E.g. "
    "<i>Mass General CME</i>; <i>none</i> to leave it out."
)
LOG_TITLE_EMPTY = "A title needs a letter or a number. What is the activity called?"
LOG_PROVIDER_EMPTY = (
    "A provider's name needs a letter or a number. Who provided it? (<i>none</i> leaves it "
    "out.)"
)
LOG_ASK_DATE = "When did you complete it? E.g. <i>yesterday</i>, <i>Nov 3</i>, <i>2026-11-03</i>."
LOG_ASK_AMOUNT = "How many {unit}? E.g. <i>2.5</i>."
LOG_ASK_CATEGORY = "Which kind of credit?"
LOG_UNKNOWN_CATEGORY = (
    "I don't know the kind of credit “{text}”. Press one of the buttons above, or type e.g. "
    "<i>Category 1</i>, <i>Category 2</i>, <i>MOC</i>, <i>contact hours</i>."
)
LOG_ASK_TOPIC = "Which topic? Type it, e.g. <i>opioid prescribing</i>, <i>ethics</i>, <i>none</i>."
LOG_UNKNOWN_TOPIC = "I don't know the topic “{text}”.{hint}"
LOG_SAVED = "Saved: <b>{amount}</b>, {title} ({date})."
LOG_UPDATED = "Updated: <b>{amount}</b>, {title} ({date})."
# An edit of one part of a split activity ("18 contact hours including 6 pharmacology")
LOG_PARTS_MOVED = (
    "\n<i>The rest of this activity, logged with it ({parts}), has the same date, title and "
    "credit type now.</i>"
)
LOG_COUNTS_TOWARD = "Counts toward: {where}."
EARNED = "{when} you logged {entries}: {kinds}. /credits lists them."
EARNED_PERIOD = "From {start} to {end}"
EARNED_ALL = "In all"
EARNED_NONE = "{when} you logged nothing. Log credits with /log."
LOG_COUNTS_TOPICS_ONLY = (
    "It doesn't count toward your licences: they count only their required topics, and "
    "its topics are none of them (edit the entry in /credits to change its topics). "
    "It is kept in your record.\n{licences}"
)
LOG_TOPICS_ONLY_ITEM = "• {label}: {topics}"
LOG_COUNTS_NOWHERE = (
    "It doesn't count toward any of your licences' current cycles (check the date and "
    "category), but it is kept in your record."
)
CERTIFICATE_READ_CAPTION = (
    "📎 I read your certificate <b>{file}</b> and took the amount, date and topic from "
    "your caption where it gives them:"
)
CERTIFICATE_FUTURE_DATE = (
    "The date printed on it is in the future, so I put today: press 📅 Date if it was "
    "another day."
)
CERTIFICATE_ODD_AMOUNT = (
    "📎 I saved <b>{file}</b>, but the amount I read on it, {amount}, is not one I can log "
    "for one activity (more than 0, at most 100). What does it certify? E.g. <i>2 credits "
    "ethics on Nov 3</i>."
)
LOG_COUNTS_LATER = (
    "It doesn't count toward a cycle yet: {cycles} (you renewed early). It is kept in your "
    "record."
)
LOG_COUNTS_EARLIER = "Dated before the current cycle: {cycles}. It is kept in your record."
LOG_EARLIER_CARRIED = (
    "{label}: its extra credits carry over, so {applied} {unit} from the previous cycle now "
    "count toward this one"
)
LOG_EARLIER_SHORT = "{label}: the cycle due {deadline} is now short by {short} {unit}"
LOG_EARLIER_MADE_UP = "{label}: the cycle due {deadline} is now complete"
LOG_EARLIER_ONLY = "{label}: it counts toward the cycle that ended {ended}, not this one"
LOG_EARLIER_THAN_WINDOW = "{label}: your requirement counts credits from {start}, so not this one"
LOG_CYCLE_STARTS = "{label}'s next cycle starts {start}"
LOG_TOWARD_ITEM = "{label} ({remaining} to go)"
LOG_TOWARD_DONE = "{label} (complete ✓)"
LOG_DUPLICATE = "You already logged “{title}” on {date}. Log it again?"
LOG_DUPLICATE_YES = "Log it again"
LOG_CANCELLED = "Not logged."
LOG_FIX_CANCELLED = "OK, that stays as it was: Save the entry above, or change something else."
LOG_DRAFT_REPLACED = "That proposal was replaced by a newer one and was not logged."
LOG_ATTACHED = "\n📎 {file}"
UPLOAD_NOT_KEPT = (
    "<i>({file} was not logged, so I didn't keep it: send it again to log it.)</i>"
)
LOG_DRAFT_SET_ASIDE = (
    "\n<i>(Your earlier unsaved entry “{title}” was not logged: send it again to log it.)</i>"
)
LOG_PROBLEMS = {
    "no_amount": (
        "I couldn't find how many credits. Start with the number, e.g. "
        "<i>/log 2 ethics yesterday</i>."
    ),
    "bad_amount": "“{detail}” is not a number of {unit}. Write it like <i>2.5</i>.",
    "zero": "Zero {unit} can't be logged. How many did you earn, e.g. <i>1.5</i>?",
    "negative": "An amount can't be negative. To remove an entry use /credits or /undo.",
    "too_many": (
        "{detail} {unit} in one activity is more than I accept (at most 100). "
        "Please check the number, or split it into several entries."
    ),
    "several_activities": (
        "That reads as more than one activity ({detail}). Please log them one at a time, "
        "e.g. <i>/log 3 ethics Nov 3</i>, then <i>/log 2 opioid Nov 4</i>."
    ),
    "part_too_big": (
        "The hours on a topic of their own ({detail}) are more than the whole activity's: "
        "write the whole first, then the part, e.g. <i>18 contact hours including 6 "
        "pharmacology</i>."
    ),
    "part_with_kinds": (
        "I can't split the {detail} hours out of an activity that gave two kinds of credit. "
        "Log the two kinds first, then change the topic of one in /credits."
    ),
    "date_in_future": (
        "“{detail}” is in the future, but you can only log what you have completed."
    ),
    "date_too_old": "“{detail}” is before 1980. Please check the date.",
    "date_invalid_date": "“{detail}” is not a real date. Please check it.",
    "date_needs_day": (
        "“{detail}” is more than one day. On which day did you complete it? E.g. "
        "<i>/log 2 ethics Nov 3</i>."
    ),
    "date_reversed_range": "“{detail}” ends before it starts. Please check the dates.",
    "date_unparseable": (
        "I couldn't read the date “{detail}”. Try <i>yesterday</i>, <i>Nov 3</i> or "
        "<i>2026-11-03</i>."
    ),
}
LOG_PROBLEM_FALLBACK = "I couldn't understand that. Try <i>/log 2 ethics yesterday</i>."
CREDITS_EMPTY = "You haven't logged any credits yet. Try <i>/log 2 ethics yesterday</i>."
CREDITS_HEADER = "<b>Your credits</b> ({first}–{last} of {total}, newest first)"
CREDITS_ITEM = "{index}. {date} — <b>{amount}</b> ({category}) — {title}{topics}{certificate}"
CREDITS_CERTIFICATE = " 📎"
CREDITS_DELETE = "🗑 {index}"
CREDITS_EDIT = "✏️ {index}"
CREDITS_PREV = "‹ Newer"
CREDITS_NEXT = "Older ›"
CREDITS_DELETE_CONFIRM = "Delete “{title}” ({amount}, {date}){certificate}?"
CREDITS_DELETE_YES = "Delete"
CREDITS_DELETED = "Deleted “{title}”{certificate}."
WITH_CERTIFICATE = " and its certificate 📎"
CREDITS_GONE = "That entry no longer exists."
EDIT_WHICH = "Several entries fit “{what}”. Which one? Press its ✏️ to change it:"
EDIT_NONE_FITS = (
    "I found no entry like “{what}”, so nothing changed. Press ✏️ beside the one to change:"
)
EDIT_NOTHING_LOGGED = (
    "You haven't logged any credits yet, so there is no entry to change. Log one like "
    "<i>2 contact hours wound care yesterday</i>."
)
UNDO_NOTHING = "There is nothing to undo."
UNDO_CONFIRM = "Remove your last entry, “{title}” ({amount}, {date}){certificate}?"
AMOUNT = "{amount} {unit}"

# ---------------------------------------------------------------- /reminders
REMINDERS_HEADER = "<b>Your reminders</b>"
REMINDERS_NEXT = "Next:"
REMINDERS_ITEM = "• {when} — {what}"
REMINDERS_NONE = "No reminders are scheduled."
REMINDERS_LADDER = "Renewal reminders: {days} days before each deadline, while credits remain."
REMINDERS_QUIET = "Quiet hours: {start}–{end} ({zone})."
REMINDERS_LADDER_PAST = (
    "Your next deadline, {deadline}, is {left} days away, so the {days} reminder{s} "
    "start{verb} with the next cycle."
)
REMINDERS_QUIET_CHECK = (
    "Quiet from {start} to {end} means reminders only between {end} and {start}. "
    "Which did you mean?"
)
REMINDERS_QUIET_FLIP = "Quiet {start}–{end} (reminders in the day)"
REMINDERS_QUIET_AS_TYPED = "Quiet {start}–{end}, as I typed"
REMINDERS_QUIET_OFF = "Quiet hours: off (reminders may come at any time)."
REMINDERS_QUIET_NONE = (
    "That range starts and ends at the same time, so there are no quiet hours: I turned "
    "them off. To keep nights quiet, send e.g. <i>22:00-07:00</i>."
)
REMINDERS_PAUSED = "⏸ All reminders are paused."
REMINDERS_PAUSED_UNTIL = "⏸ Reminders are paused until {day}; from that day they come again."
PAUSE_UNTIL_SET = (
    "⏸ Paused until {day}: no reminders before then, and from that day they come again "
    "by themselves. ▶️ Resume in /reminders brings them back sooner."
)
PAUSE_UNTIL_DEADLINE = (
    "⚠️ <b>{label}</b> is due {deadline}, before the pause ends, and still needs credits."
)
PAUSE_UNTIL_UNREAD = (
    "I couldn't tell until when from “{text}”. Try: <i>pause reminders until January 15</i> "
    "or <i>pause reminders for 2 weeks</i>."
)
PAUSE_UNTIL_PAST = (
    "{day} is not after today, so there is nothing to pause. To stop reminders with no end "
    "date, say <i>pause reminders</i>."
)
PAUSE_UNTIL_TOO_FAR = (
    "That is more than a year away. To stop reminders with no end date, say "
    "<i>pause reminders</i>; resume them any time in /reminders."
)
REMINDERS_BACK_FROM_PAUSE = (
    "▶️ Reminders are back on (paused until {day}). Some fell due during the pause and "
    "were not sent; where you stand now:"
)
REMINDERS_MISSED = (
    "▶️ Reminders are back on. {count} fell due while they were paused and were not "
    "sent; where you stand now:"
)
REMINDERS_MISSED_NOTHING_OPEN = (
    "▶️ Reminders are back on. {count} fell due while they were paused and were not "
    "sent; none of your licences needs anything now."
)
REMINDERS_MUTED = "Muted: {labels}."
REMINDERS_PAUSE = "⏸ Pause all"
REMINDERS_RESUME = "▶️ Resume"
REMINDERS_UNMUTE = "🔔 Unmute {label}"
REMINDERS_MUTE = "🔕 Mute {label}"
REMINDERS_SET_LADDER = "Change days"
REMINDERS_SET_QUIET = "Change quiet hours"
REMINDERS_ASK_LADDER = "Send the days before a deadline to remind you, e.g. <i>90, 30, 7, 1</i>."
REMINDERS_BAD_LADDER = "Please send whole days between 1 and 730, e.g. <i>90, 30, 7, 1</i>."
REMINDERS_ASK_QUIET = (
    "Send your quiet hours, e.g. <i>22:00-07:00</i> or <i>10pm-7am</i> (or <i>off</i>)."
)
REMINDERS_BAD_QUIET = (
    "Please write quiet hours like <i>22:00-07:00</i> or <i>10pm-7am</i>, or <i>off</i>."
)
REMINDERS_WHAT = {
    "renewal": "renewal reminder: {label}",
    "course": "course: {label}",
    "course_follow_up": "log it? {label}",
    "complete": "licence complete: {label}",
    "cycle_end": "end-of-cycle note: {label}",
    "notice": "announcement",
    "back_from_pause": "back from the pause: where you stand",
}

# ---------------------------------------------------------------- certificates & transcript
CERTIFICATE_READ = "📎 I read your certificate <b>{file}</b>. Please check:"
CERTIFICATE_NO_AMOUNT = (
    "📎 I saved <b>{file}</b> but couldn't find the number of credits on it. "
    "What does it certify? E.g. <i>2 credits ethics on Nov 3</i>."
)
CERTIFICATE_PAGES_SKIPPED = (
    "\n<i>(I read only its first {pages} of {count} pages: a certificate's details are "
    "usually there.)</i>"
)
CERTIFICATE_MANUAL = (
    "📎 I saved <b>{file}</b>. I can't read text from it (a scan or a picture), so please "
    "tell me what it certifies, e.g. <i>2 credits ethics on Nov 3</i>."
)
CERTIFICATE_PROBLEMS = {
    "empty": "That file is empty (0 bytes), so nothing was stored. Please send it again.",
    "too_large": "That file is too big ({size}); certificates up to 10 MB are accepted.",
    "not_pdf": (
        "That file isn't a PDF, so nothing was stored. Send the certificate as a PDF, "
        "or as a photo."
    ),
    "unreadable": (
        "I couldn't open that PDF ({detail}), so nothing was stored. Is it password-protected "
        "or damaged? Try downloading it again, or send a photo of it."
    ),
}
CERTIFICATE_SEVERAL = (
    "<b>{file}</b> lists several activities (a transcript?). An entry is one activity, so "
    "nothing was stored: log each with /log, e.g. <i>/log 2 ethics Sep 1</i>, or send each "
    "activity's own certificate."
)
UNSUPPORTED_FILE = (
    "I can store certificates as PDF files or photos. That file type isn't one of them, "
    "so nothing was stored."
)
TRANSCRIPT_NONE = "Add a licence first (/licences): a transcript lists the credits per licence."
TRANSCRIPT_HEADING_CME = "Continuing Medical Education transcript"
TRANSCRIPT_HEADING_CE = "Continuing Education transcript"
TRANSCRIPT_CAPTION_PDF = (
    "Your transcript: credits per licence for the current cycles. "
    "/transcript previous gives the cycles before them."
)
TRANSCRIPT_CAPTION_PREVIOUS = "Your transcript of the cycles before the current ones."
TRANSCRIPT_NO_PREVIOUS = (
    "None of your licences has an earlier cycle yet (a requirement you described without "
    "“every N years” has one window). /transcript gives the current ones."
)
TRANSCRIPT_CAPTION_CSV = "The same entries as a spreadsheet (CSV)."
# A cycle that ended before the bot was first used, with nothing logged in it: not "0 of 40"
TRANSCRIPT_MET = "Requirements met for this cycle."
TRANSCRIPT_NEEDED = "{needed} more {unit} needed."
TRANSCRIPT_AT_LEAST = "At least {text}"
TRANSCRIPT_OVERDUE = "Overdue. {text}"
TRANSCRIPT_OVERDUE_MAKEUP = "Overdue: make-up allowed until {until}. {text}"
TRANSCRIPT_NOT_TRACKED = (
    "Not tracked here: nothing was logged in the bot for this cycle, which ended before the "
    "bot was first used on {first}. That is not 0 {unit} earned: log past activities with "
    "their dates to include them."
)
TRANSCRIPT_NOT_TRACKED_ROW = (
    "Not tracked here: nothing logged in the bot for this cycle (first used on {first})"
)
TRANSCRIPT_NOT_TRACKED_MARK = "not tracked"
TRANSCRIPT_CAPTION_NOT_TRACKED = (
    "\nNot tracked here, as nothing is logged for them and they ended before you first used "
    "the bot on {first}: {cycles}. Log past activities with their dates to include them."
)
TRANSCRIPT_CYCLE = "{label} ({start} – {end})"
TRANSCRIPT_CYCLES_COUNT = "{count} cycles, each marked in the file"
TRANSCRIPT_CAPTION_DAY = "Your transcript of the cycles that include {day}."
TRANSCRIPT_ONLY = " Only {labels}."
TRANSCRIPT_NO_CYCLE = (
    "None of your licences has a cycle I can count that includes {day} (a requirement you "
    "described without “every N years” has one window). /transcript gives the current ones."
)
TRANSCRIPT_NO_SUCH_LICENCE = (
    "You have no {state} licence here. Yours: {licences}. /transcript alone gives them all; "
    "/licences adds one."
)
TRANSCRIPT_USAGE = (
    "I didn't follow “{text}”. Try /transcript, /transcript previous, /transcript florida "
    "(one licence) or /transcript 2025-08-31 (the cycles that include that day)."
)

NOTHING_CHANGED = "OK, nothing changed."


# ---------------------------------------------------------------- courses
# (courses chat texts: keep them in this section)
COURSES_ASK_WHERE = (
    "<b>Where should I look for courses?</b> Send a city (<i>Boston</i>, <i>Portland, ME</i>), "
    "a ZIP code, or share your location. You can add a topic, dates and a budget, e.g. "
    "<i>opioid courses within 50 miles of 02115 before March</i>."
)
COURSES_SEND_LOCATION = "📍 Send my location"
COURSES_ONLINE_ONLY = "Online only"
COURSES_I_NEED = "Courses I need"
COURSES_WHERE_PLACEHOLDER = "City, ZIP or “online”"
COURSES_ASK_LOCATION = (
    "I don't know where you are yet: tap <b>📍 Send my location</b> below, or send a city or ZIP."
)
COURSES_PICK_PLACE = "Several places are called “{text}”. Which one?"
COURSES_PICK_CITY = "That's a whole region; which city?"
COURSES_PLACE_LICENCE_STATE = (
    "\n<i>{place}: the {text} in the state you are licensed in. For another, name its "
    "state (e.g. {text}, {other}).</i>"
)
COURSES_PLACE_UNKNOWN = "I don't know a place called “{text}”."
COURSES_PLACE_SUGGEST = " Did you mean one of these?"
COURSES_PLACE_HINT = (
    " Try a city and state (<i>Portland, ME</i>), a ZIP code, or share your location."
)
COURSES_PLACE_OR_TOPIC = " If that was a topic: did you mean <b>{topic}</b>?"
COURSES_TOPIC_BUTTON = "{topic} courses"
COURSES_BAD_DATE = {
    "in_past": "That date has passed; I look for upcoming courses. Try <i>next month</i>.",
    "too_far": "That's too far ahead; courses are listed up to a year or so in advance.",
    "invalid_date": "That date doesn't exist; please check the day and month.",
    "reversed_range": "The end of that range comes before its start.",
}
COURSES_BAD_DATE_OTHER = "I couldn't read that date. Try <i>next month</i> or <i>before March</i>."
COURSES_UNKNOWN_TOPIC = (
    "\n<i>I don't know the topic “{words}”, so the search covers every topic.{hint}</i>"
)
COURSES_UNKNOWN_WORDS = "\n<i>I left out “{words}”, which I don't know as a topic.{hint}</i>"
COURSES_TOPIC_HINT = " Known topics include: {names}."

COURSES_HEADER_NEAR = "<b>Courses near {place}</b> (within {radius} {unit}{online})"
COURSES_HEADER_ONLINE = "<b>Online courses</b>"
COURSES_HEADER_ONLINE_TOO = ", plus online"
COURSES_HEADER_DATES = " · {dates}"
COURSES_HEADER_TOPICS = " · {topics}"
COURSES_HEADER_PRICE = " · up to {price} (courses without a listed price left out)"
COURSES_HEADER_FREE = " · free (courses without a listed price left out)"
COURSES_SHOWING = "Showing {first}–{last} of {total}{order}."
COURSES_ORDER_NEAR = ", nearest first, then by date"
COURSES_ORDER_DATE = ", soonest first"
COURSES_NONE = "No upcoming courses match that."
COURSES_NONE_WIDEN = " Widen the search?"
COURSES_NONE_AT_ALL = (
    "The course catalogue is empty for now. An administrator can import one by sending me "
    "a CSV, iCalendar or JSON file."
)
COURSES_MORE = "More ›"
COURSES_PREVIOUS = "‹ Back"
COURSES_WIDEN = "Widen to {radius} {unit}"
COURSES_ADD_ONLINE = "Include online"
COURSES_ANY_DATE = "Any date"
COURSES_ANY_TOPIC = "Any topic"
COURSES_DETAILS_BUTTON = "{n}. {title}"

COURSE_ITEM_TITLE = "<b>{n}. {title}</b>"
COURSE_ITEM_WHEN = "📅 {when}"
COURSE_DETAIL_ENDS = "⏱ Ends {end}"
COURSE_ITEM_MORE_DATES = (
    "🔁 Repeats: {count} more date in your search",
    "🔁 Repeats: {count} more dates in your search",
)
COURSE_ITEM_ON_DEMAND = "📅 Any time until {until}"
COURSE_ITEM_ON_DEMAND_FROM = "📅 On demand from {start} until {until}"
COURSE_ITEM_PLACE = "📍 {place}"
COURSE_ITEM_DISTANCE = " · {distance} {unit}"
COURSE_ITEM_DISTANCE_CITY = " · about {distance} {unit} (to the city centre)"
COURSE_ITEM_SAME_CITY = " · in that city"
COURSE_ITEM_ONLINE = "💻 {format}"
COURSE_ITEM_HYBRID = " · also online"
COURSE_ITEM_AMOUNT = "🎓 {amount} ({category})"
COURSE_ITEM_TOPICS = " · {topics}"
COURSE_ITEM_PRICE = "💲 {price}"
COURSE_ITEM_AFTER_DEADLINE = (
    "⏳ After your deadline for {which}: it would count toward the next cycle"
)
COURSE_ITEM_DEADLINE = "{label} ({deadline})"
COURSE_PRICE_FREE = "Free"
COURSE_PRICE_UNKNOWN = "Price not listed"
COURSE_CANCELLED = "❌ <b>Cancelled</b> by the provider."
COURSE_FORMATS = {
    "in_person": "In person",
    "hybrid": "Hybrid",
    "workshop": "Hands-on workshop",
    "live_online": "Live online",
    "on_demand": "On demand",
}

COURSE_DETAIL_PROVIDER = "🏛 {provider}"
COURSE_DETAIL_ACCREDITATION = "✔️ {accreditation}"
COURSE_DETAIL_ADDRESS = "🗺 {address}"
COURSE_DETAIL_REGISTER = '🔗 <a href="{url}">Register: {host}</a>'
COURSE_DETAIL_NO_LINK = "🔗 No registration link listed; contact the provider."
COURSE_DETAIL_TIMEZONE = " ({local} where it takes place)"
COURSE_ALL_DAY = " (all day)"
COURSE_REMIND_ME = "🔔 Remind me"
COURSE_STOP_REMINDING = "🔕 Stop reminding me"
COURSE_ADD_TO_CALENDAR = "📅 Add to calendar"
COURSE_CANCELLED_NO_CALENDAR = "This course was cancelled: nothing to add to your calendar."
COURSE_ICS_CAPTION = "📅 Add <b>{title}</b> to your calendar."
COURSE_SUBSCRIBED = "I'll remind you a day and an hour before it starts."
COURSE_SUBSCRIBED_DAY = "I'll remind you a day before it starts."
COURSE_SUBSCRIBED_HOUR = "I'll remind you an hour before it starts."
COURSE_SUBSCRIBED_AT = "I'll remind you on {times}."
COURSE_SUBSCRIBED_SOON = (
    "It starts within the hour: too soon for a reminder. It stays in /mycourses."
)
COURSE_SUBSCRIBED_NONE = (
    "It starts too soon for a reminder outside your quiet hours; it stays in /mycourses."
)
COURSE_SUBSCRIBED_PAUSED_UNTIL = (
    "Added to /mycourses. Your reminders are paused until {day}, so none will come for this "
    "course."
)
COURSE_SUBSCRIBED_PAUSED = (
    "Added to /mycourses. Your reminders are paused, so none will come until you resume "
    "them in /reminders."
)
COURSE_UNSUBSCRIBED = "OK, no reminders for this course."
COURSE_NOT_REMINDABLE = "This course has already started or was cancelled."
COURSE_GONE = "That course is no longer in the catalogue."

MYCOURSES_HEADER = "<b>Courses I'll remind you about</b>"
MYCOURSES_ITEM = "{n}. <b>{title}</b>\n    {when} · {where}"
MYCOURSES_ITEM_CANCELLED = "{n}. <s>{title}</s> — cancelled by the provider"
MYCOURSES_EMPTY = (
    "You haven't asked me to remind you about any upcoming course. Find one with /courses "
    "and press <b>🔔 Remind me</b>."
)
MYCOURSES_UNSUBSCRIBE = "🔕 Unsubscribe {n}"
MYCOURSES_DETAILS = "ℹ️ {n}"
MYCOURSES_ONLINE = "online"

COURSES_NEED_HEADER = "<b>Courses that fill what you still need</b>{where}"
COURSES_NEED_WHERE_NEAR = " (online, and within {radius} {unit} of {place})"
COURSES_NEED_WHERE_ONLINE = " (online; share your location to include courses near you)"
COURSES_NEED_NO_LICENCES = (
    "To find the courses you need, I first need a licence to track. Add one with /licences "
    "(e.g. <i>Texas MD, renews 2027-03-31</i>), then ask again."
)
COURSES_NEED_NOTHING = (
    "🎉 Nothing is missing: your licences are complete for this cycle. /courses finds "
    "courses anyway."
)
COURSES_NEED_UNKNOWN = (
    "I can't tell what you still need until I know more about your licences: {missing}. "
    "See /status."
)
COURSES_NEED_NONE = (
    "No upcoming course in the catalogue fills what you still need before your deadlines. "
    "Try /courses to search by place and date."
)
COURSES_NEED_FILLS_MANDATE = (
    "✅ {hours} {unit} of <b>{title}</b> ({remaining} still needed, {licence}, due {due})"
)
COURSES_NEED_FILLS_TOTAL = (
    "➕ {hours} {unit} toward {licence}'s total ({remaining} still needed){minimums}"
)
COURSES_NEED_IF_ACCEPTED = ", if your board accepts {category}"
COURSES_NEED_FILLS_MINIMUM = ", and its {label} minimum ({left} to go)"
COURSES_NEED_SHOWING = "Showing {first}–{last} of {total}, mandated topics first."
COURSES_NEED_SHOWING_TOTALS = "Showing {first}–{last} of {total}."
COURSES_NEED_UNCOVERED = "<i>No upcoming course here covers {titles}.</i>"

COURSE_CHANGE_REINSTATED = "✅ <b>{title}</b> is back on: it starts {local}."

ADMIN_SPREADSHEET = (
    "A catalogue can be CSV, iCalendar (.ics) or JSON, not a spreadsheet file: save it as "
    "CSV (File → Save as → CSV UTF-8) and send that. Nothing was imported."
)
ADMIN_IMPORT_REJECTIONS = "Every rejected row, with why: fix them and send the file again."
ADMIN_MISSING_ASK = (
    "This version no longer lists <b>{count}</b> upcoming course(s) still listed from "
    "earlier versions:\n{examples}\n{chosen}\nCancel them, or keep them listed?"
)
ADMIN_MISSING_EXAMPLE = "• {title} ({start})"
ADMIN_MISSING_MORE = "• … and {count} more"
ADMIN_MISSING_CHOSEN = "{people} clinician(s) chose them: cancelling tells them."
ADMIN_MISSING_UNCHOSEN = "No clinician chose any of them."
ADMIN_MISSING_CANCEL = "Cancel {count} course(s)"
ADMIN_MISSING_KEEP = "Keep them listed"
ADMIN_MISSING_CANCELLED = "Cancelled {count} course(s); {people} clinician(s) told."
ADMIN_MISSING_HANDED_OVER = (
    "{count} course(s) stay listed, by another catalogue that lists them too: whoever chose "
    "them keeps their reminders."
)
ADMIN_MISSING_KEPT = (
    "Kept them listed. Sending a version without them again asks again."
)
ADMIN_MISSING_EXPIRED = (
    "That question is out of date (it was answered, or the catalogue was sent again "
    "since): send the catalogue again to see what it no longer lists."
)
ADMIN_IMPORT_TOO_BIG = "That file is larger than {limit}; split it or serve it as a feed."

# ---------------------------------------------------------- activity format and UAN (QA round 13)
LOG_FORMAT = "\n• Format: {format}"
LOG_FORMAT_UNSAID = "not said <i>(tap 🎓 Format if live or home study counts for you)</i>"
LOG_UAN = "\n• UAN: {uan}"
LOG_UAN_FORMAT_DIFFERS = (
    " <i>(its letter says the other: L is live, H home study. An audit goes by the UAN; "
    "tap 🎓 Format if the format above is wrong)</i>"
)
LOG_CHANGE_FORMAT = "🎓 Format"
LOG_ASK_FORMAT = (
    "How did you take part? A live minimum counts only live activities (in person, or a "
    "webinar at its set time); home study is enduring material."
)
LOG_FORMAT_NONE = "Not said"
LOG_UNKNOWN_FORMAT = (
    "I don't know the format “{text}”. Tap one of the buttons, or type e.g. <i>live</i>, "
    "<i>webinar</i> or <i>home study</i>."
)
CREDITS_DETAILS = " <i>({details})</i>"
CREDITS_UAN = "UAN {uan}"
CERTIFICATE_ONLY_AMOUNT = (
    "📎 I saved <b>{file}</b> and read <b>{title}</b>{provider}, but not how many {unit} it "
    "gave. How many? E.g. <i>1.5</i> or <i>0.15 CEU</i>."
)
CERTIFICATE_READ_PROVIDER = " by {provider}"
LOG_NOT_OWN_CREDIT = (
    "\n⚠️ <i>This is {category}, not {own}: it counts only if your board accepts it "
    "(tap 🏷 Category if it was {own}).</i>"
)
COURSES_NEED_NOT_YOURS = (
    "<i>None of these courses gives {own}: each counts only if your board accepts its "
    "credit.</i>"
)

# ---------------------------------------------------------------- licences (QA round 13)
# Kept together at the end: another branch edits texts elsewhere in this file.
LICENCE_RENEWALS_ASK_BEFORE = (
    "How many times have you <b>already renewed</b> this licence? Count the renewals done "
    "so far, not the one due {deadline}. (Some topics are due only at the first or every "
    "third renewal.)"
)
STATUS_MANDATE_PART_LOGGED = (
    "  Only {earned} of {required} h is logged for it: if you did the rest, /log it with its "
    "date (it may be split over several activities; any date counts)."
)
STATUS_RENEWS = "Renews {deadline} — {days} days left"
STATUS_PAST_DUE_NOT_TIED = (
    "The one-time training below is not tied to that date: it was due at an earlier "
    "registration or renewal, so it is overdue until logged."
)
DEADLINE_LINE_PAST_DUE = "; its one-time training, due earlier, is overdue: {remaining} h to log"
CYCLE_NEXT_ONE_TIME_PART = (
    "It asks only for a one-time training ({titles}), of which {logged} of {required} h is "
    "logged: if you did the rest, /log it with its date (any date counts). It renews next "
    "on {deadline}: a different date? Change it in /licences."
)
CYCLE_CLOSED_ONE_TIME = "🔄 <b>{label}</b>: the cycle due {deadline} is behind you."
LICENCE_FLAG_FROM_DEA = (
    "You track a DEA registration, so I count you as a DEA registrant here too (if you no "
    "longer hold one, remove it in /licences)."
)
LICENCE_DEA_COUNTED_FOR = (
    "You are now counted as a DEA registrant for <b>{labels}</b>, so requirements for "
    "registrants apply there too."
)
LICENCE_DEA_REMOVED_STILL = (
    "You are still counted as a DEA registrant for <b>{labels}</b>. If you no longer hold a "
    "registration, change that in /licences → Answers."
)
STATUS_TOPIC_NEXT = (
    "  Next needed by <b>{day}</b> ({why}): what you have logged covers it until then."
)
STATUS_TOPIC_ONCE_DONE = "  Done for good: it is a one-time requirement."
STATUS_TOPIC_NOT_DUE_NEXT = "; next needed by <b>{day}</b> ({why})"
STATUS_FORMAT_NOT_RECORDED = (
    "None of your logged activities says whether it was live or home study, so I can't "
    "count live hours apart: below, everything you logged counts the same. Say it when you "
    "log (“live”, “webinar”, “home study”), or tap 🎓 Format on the draft."
)
STATUS_FORMAT_RECORDED = (
    "Recorded as {kind}: {amount} credits. {unrecorded} of your {entries} logged activities "
    "don't say how they were taken, so they are not in that figure."
)
FORMAT_LIVE = "live"
FORMAT_HOME = "home study"
LICENCE_CUSTOM_GENERALISED = (
    "\nNote: I have no state-specific version of “{phrase}”, so it is tracked as "
    "<b>{topic}</b>: a course on it from any state counts."
)
CUSTOM_LABEL_STATE = "{state} requirement"
LICENCE_CUSTOM_SAVED_AS = (
    "\nTracked as a new requirement, <b>{label}</b>: not what you meant? Rename or remove it "
    "below (or in /licences)."
)
LICENCE_CUSTOM_RENAME = "✏️ Rename"
LICENCE_CUSTOM_REMOVE = "🗑 Remove"
