"""``ReviewApp``: the ipywidgets front of the review workflow (JupyterLab 4, ipywidgets 8).

The store is the only state that matters: every click is written at once with the version the
app last read (optimistic concurrency), so a kernel restart loses nothing and two reviewers never
overwrite each other silently. The app itself keeps only the queue of ids for the current
filters, the claim on screen and this session's undo list.

Keys (``data/review_keys.tsv``, shown by ``?``): an ipyevents ``Event`` watches ``keydown`` on the
claim pane (the claim, its decisions, its history). ipyevents listens only while the pointer is
over its source, and while it listens it takes every key (``preventDefault``), so the boxes one
types into (tags, note, evidence, corrections) sit in a pane beside it, outside its source: keys
over the claim are commands, keys over the boxes type. No click is needed first.

A team (issue 14): "my queue" shows only the claims assigned to the reviewer; when nobody is
named (no ``reviewer=``, none in the store or claimkit.toml) the app asks once. "Apply to all N
in this filter" changes every claim of the filter in one transaction after a confirmation, and
undo takes the whole change back as one step.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from ipyevents import Event

from claimkit.model import Kind
from claimkit.review import render
from claimkit.review.navigation import (
    ANY, NO_VERDICT, UI_FILTERS, Queue, describe_filters, is_decided, key_actions, key_for,
    STATUS_PREFIX, key_help, key_name, store_filters,
)
from claimkit.store import ConflictError, NothingToUndo, UnknownSpeakerError
from claimkit.store.filters import SORT_ORDERS, ClaimFilter
from claimkit.taxonomy import cue_class_ids

if TYPE_CHECKING:
    from claimkit.store import Store

SORT_LABELS = {
    "worthy_undecided": "most check-worthy undecided first", "article": "article order", "newest": "newest articles first",
    "oldest": "oldest articles first", "checkworthiness": "most check-worthy first",
    "speaker": "by speaker", "recently_changed": "recently changed first",
}
DROPDOWN_FILTERS = ("status", "verdict", "tag", "outlet", "kind")
# "Apply to all in this filter": label -> the bulk_review argument it sets.
BULK_ACTIONS = {"set status": "status", "set verdict": "verdict", "add tag": "add_tags",
                "assign to": "assignee"}
TEXT_FILTERS = ("speaker", "search")
ARTICLE_CACHE = 16  # articles kept in memory: consecutive claims mostly share one


class ReviewApp:
    """Review claims one at a time. ``ReviewApp(store, status="unverified", sort="newest")``.

    Keyword filters are those of ``store.claims()``; the ones the app has widgets for start the
    widgets at that value, any other stays fixed for this app. ``unreviewed=True`` shows only
    claims without a verdict; ``sort`` is one of ``SORT_LABELS`` (by default the most check-worthy
    claims without a decision first, then the decided ones). It opens where the reviewer left
    off: the claim of their latest change in the store's history, or the next undecided one
    after it in this order (``resume``).
    """

    def __init__(self, store: Store, *, sort: str = "worthy_undecided", unreviewed: bool = False,
                 reviewer: str | None = None, **filters: Any) -> None:
        ClaimFilter.from_kwargs(filters)  # unknown filter names fail here, clearly
        if sort not in SORT_ORDERS:
            raise ValueError(f"unknown sort {sort!r}; sorts are: {', '.join(SORT_ORDERS)}")
        self.store = store
        self.reviewer = reviewer or store.reviewer  # None: the app asks (who_box)
        self.statuses = store.taxonomy("status")
        # The store's workflow: which status buttons a claim may take (claimkit/workflow.py).
        self.workflow = store.workflow()
        self.verdicts = store.taxonomy("verdict")
        self.actions = key_actions(self.verdicts.ids, self.statuses.ids)
        self.queue = Queue()
        self.current: dict[str, Any] | None = None
        self.pending: dict[str, Any] | None = None  # my change that met a conflict
        # This session's changes, newest last: (one claim, or None for a change to all in a
        # filter, undone as one step; {claim: [the version to undo, the version before it]})
        self.undo_stack: list[tuple[str | None, dict[str, list[int]]]] = []
        self.pending_bulk: dict[str, Any] | None = None  # asked, not yet confirmed
        self._articles: OrderedDict[str, str] = OrderedDict()
        self._quiet_depth = 0
        self._build(filters, sort, unreviewed)
        self.reload(resume=True)

    # --- display --------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)

    # --- building the widgets -------------------------------------------------------------------

    def _build(self, filters: dict[str, Any], sort: str, unreviewed: bool) -> None:
        tags = self.store.tag_names()  # a scan of every review: once for both widgets
        self.filter_widgets = self._filter_widgets(filters, tags)
        # Filters no widget can show (a list of statuses, flagged=False, an outlet not stored
        # yet, min_checkworthiness...) hold for the life of the app.
        self.fixed_filters = {k: v for k, v in filters.items()
                              if k not in self.filter_widgets or v is False
                              or self.filter_widgets[k].value != v}
        self.unreviewed_box = w.Checkbox(value=unreviewed, description="unreviewed only",
                                         indent=False, layout=w.Layout(width="auto"))
        self.my_queue_box = w.Checkbox(value=False, description="my queue", indent=False,
                                       layout=w.Layout(width="auto"))
        self.my_queue_box.add_class("ck-my-queue")
        self.who_box = w.Text(placeholder="your name, as the team knows it",
                              continuous_update=False, layout=_width("240px"))
        self.who_box.observe(lambda c: self._quiet_or(self.set_reviewer, c.new), "value")
        self.who_row = w.HBox([w.HTML("<b>Who is reviewing?</b> "), self.who_box],
                              layout=w.Layout(display="none" if self.reviewer else "flex"))
        self.who_row.add_class("ck-who")
        self.sort_box = w.Dropdown(options=[(SORT_LABELS[k], k) for k in SORT_ORDERS],
                                   value=sort, description="sort", layout=_width("220px"))
        for box in (*self.filter_widgets.values(), self.unreviewed_box, self.sort_box,
                    self.my_queue_box):
            box.observe(self._on_filter, "value")

        self.progress = w.IntProgress(min=0, max=1, value=0, layout=_width("260px"))
        self.progress_label = w.HTML()
        self.card = w.HTML(layout=_full())
        self.message = w.HTML()

        self.verdict_buttons = {v.id: self._button(v, "verdict") for v in self.verdicts.values}
        self.status_buttons = {v.id: self._button(v, "status") for v in self.statuses.values}
        self.previous_button = self._plain("k", "◀ previous", self.previous, "ck-previous")
        self.next_button = self._plain("j", "next ▶", self.next, "ck-next")
        self.undo_button = self._plain("u", "undo", self.undo, "ck-undo")
        self.flag_button = self._plain("f", "flag for later", self.toggle_flag, "ck-flag")

        self.tags_box = w.TagsInput(value=[], allow_duplicates=False, placeholder="no tags",
                                    layout=_full())
        self.tags_box.observe(self._on_tags, "value")
        self.tag_picker = w.Combobox(placeholder="add a tag: pick one or type a new one",
                                     options=tags, ensure_option=False,
                                     continuous_update=False, layout=_full())
        self.tag_picker.observe(self._on_tag_picked, "value")
        self.note_box = w.Textarea(placeholder="note (saved when you leave the box)",
                                   continuous_update=False, rows=2,
                                   layout=_full())
        self.note_box.observe(lambda c: self._quiet_or(self.set_note, c.new), "value")
        self.evidence_box = w.Text(placeholder="evidence URL(s), https://…, space-separated",
                                   continuous_update=False, layout=_full())
        self.evidence_box.observe(lambda c: self._quiet_or(self.set_evidence, c.new), "value")
        self.speaker_box = w.Text(placeholder="correct speaker (empty: the extractor's)",
                                  continuous_update=False, layout=w.Layout(flex="1"))
        self.speaker_box.observe(lambda c: self._quiet_or(self.correct_speaker, c.new), "value")
        # The speaker entity across articles (store.speakers()): rename it, or merge it into
        # another speaker by name. Changes every claim of the speaker, with a speaker event.
        self.speaker_entity_box = w.Text(placeholder="speaker across articles: a name",
                                         continuous_update=False, layout=w.Layout(flex="1"))
        self.speaker_entity_action = w.Dropdown(
            options=[("rename it to", "rename"), ("merge it into", "merge")], value="rename",
            layout=w.Layout(width="auto"))
        self.speaker_entity_button = w.Button(description="apply to the speaker",
                                              layout=w.Layout(width="auto"))
        self.speaker_entity_button.add_class("ck-speaker-entity")
        self.speaker_entity_button.on_click(lambda _: self._clicked(self._apply_speaker_entity))
        self.not_a_claim_box = w.Checkbox(description="not a claim", indent=False,
                                          layout=w.Layout(width="auto"))
        self.not_a_claim_box.observe(lambda c: self._quiet_or(self.mark_not_a_claim, c.new),
                                     "value")
        self.not_a_claim_box.add_class("ck-not-a-claim")
        self.kind_picker = w.Dropdown(
            options=[("kind: the extractor's", "")] + [(k.value, k.value) for k in Kind],
            layout=w.Layout(width="auto"))
        self.kind_picker.observe(lambda c: self._quiet_or(self.correct_kind, c.new), "value")
        self.cue_class_picker = w.Dropdown(
            options=[("cue class: the extractor's", "")] + [(c, c) for c in cue_class_ids()],
            layout=w.Layout(width="auto"))
        self.cue_class_picker.observe(lambda c: self._quiet_or(self.correct_cue_class, c.new),
                                      "value")
        self.content_box = w.Textarea(
            placeholder="trim the content: the part of it that is the claim (empty: all of it)",
            continuous_update=False, rows=2, layout=_full())
        self.content_box.observe(lambda c: self._quiet_or(self.trim_content, c.new), "value")

        self.history_view = w.HTML(layout=_full())
        # Earlier checks of the claim (store.matches), each with a button that takes it over.
        self.matches_view = w.HTML(layout=_full())
        self.match_buttons = [self._plain("", f"use check #{n}", lambda n=n: self.accept_match(n),
                                          f"ck-use-match-{n}") for n in (1, 2, 3)]
        for button in self.match_buttons:
            button.description = button.description.strip()
        self.shown_matches: list[dict[str, Any]] = []
        # The other reports of the claim (its cluster: store/clustering.py).
        self.cluster_view = w.HTML(layout=_full())
        self.uncluster_button = w.Button(description="take out of this cluster",
                                         layout=w.Layout(width="auto"))
        self.uncluster_button.add_class("ck-uncluster")
        self.uncluster_button.on_click(lambda _: self._clicked(self.remove_from_cluster))
        self.cluster_verdict_button = w.Button(description="apply this verdict to the whole "
                                               "cluster", layout=w.Layout(width="auto"))
        self.cluster_verdict_button.add_class("ck-cluster-verdict")
        self.cluster_verdict_button.on_click(
            lambda _: self._clicked(self.apply_verdict_to_cluster))
        self.cluster_size = 0
        labels = {("verdict", v.id): f"verdict: {v.label}" for v in self.verdicts.values}
        labels.update({("status", v.id): f"status: {v.label}" for v in self.statuses.values})
        self.help_view = w.HTML(render.key_help_html(key_help(self.actions, labels)),
                                layout=w.Layout(display="none"))
        self.help_button = self._plain("?", "keys", self.toggle_help, "ck-help")

        self.conflict_text = w.HTML()
        self.keep_theirs_button = w.Button(description="keep theirs", icon="undo")
        self.keep_theirs_button.on_click(lambda _: self.keep_theirs())
        self.apply_mine_button = w.Button(description="apply mine", button_style="warning")
        self.apply_mine_button.on_click(lambda _: self.apply_mine())
        self.conflict_box = w.VBox([self.conflict_text, w.HBox([self.keep_theirs_button,
                                                                self.apply_mine_button])],
                                   layout=w.Layout(display="none"))
        self.conflict_box.add_class("ck-conflict-box")

        self.bulk_action = w.Dropdown(options=list(BULK_ACTIONS.items()), value="status",
                                      layout=_width("130px"))
        self.bulk_value = w.Text(placeholder="status, verdict, tag or name",
                                 layout=_width("200px"))
        self.bulk_button = w.Button(description="apply to all in this filter",
                                    layout=w.Layout(width="auto"))
        self.bulk_button.add_class("ck-bulk")
        self.bulk_button.on_click(lambda _: self.ask_apply_to_all(self.bulk_action.value,
                                                                  self.bulk_value.value))
        self.bulk_confirm_text = w.HTML()
        yes = w.Button(description="yes, change them", button_style="warning")
        yes.add_class("ck-bulk-yes")
        yes.on_click(lambda _: self.confirm_apply_to_all())
        cancel = w.Button(description="cancel")
        cancel.on_click(lambda _: self.cancel_apply_to_all())
        self.bulk_confirm_box = w.VBox([self.bulk_confirm_text, w.HBox([yes, cancel])],
                                       layout=w.Layout(display="none"))
        self.widget = self._layout()
        # Keys over the claim pane only (see the module's docstring for why not the whole app).
        self.key_events = Event(source=self.claim_pane, watched_events=["keydown"],
                                ignore_modifier_key_events=True)
        self.key_events.on_dom_event(self._on_key_event)

    def _filter_widgets(self, initial: dict[str, Any], tags: list[str]) -> dict[str, w.Widget]:
        def dropdown(name: str, label: str, options: list[tuple[str, str]]) -> w.Dropdown:
            options = [(f"any {label}", ANY), *options]
            value = initial.get(name, ANY)
            value = value if value in [v for _, v in options] else ANY
            return w.Dropdown(options=options, value=value, layout=_width("170px"))

        def text(name: str, placeholder: str) -> w.Text:
            value = initial.get(name)
            return w.Text(value=value if isinstance(value, str) else "",
                          placeholder=placeholder, continuous_update=False,
                          layout=_width("170px"))

        verdicts = [(v.label, v.id) for v in self.verdicts.values]
        boxes: dict[str, w.Widget] = {
            "status": dropdown("status", "status", [(v.label, v.id) for v in self.statuses.values]),
            "verdict": dropdown("verdict", "verdict", [("no verdict yet", NO_VERDICT), *verdicts]),
            "tag": dropdown("tag", "tag", [(t, t) for t in tags]),
            "outlet": dropdown("outlet", "outlet", [(o, o) for o in self.store.outlets()]),
            "kind": dropdown("kind", "kind", [(k.value, k.value) for k in Kind]),
            "speaker": text("speaker", "speaker"),
            "search": text("search", "search the claim text"),
            "flagged": w.Checkbox(value=initial.get("flagged") is True, description="flagged only",
                                  indent=False, layout=w.Layout(width="auto")),
        }
        assert set(boxes) == set(UI_FILTERS)
        return boxes

    def _button(self, value, kind: str) -> w.Button:
        key = key_for(kind, value.id, self.actions)
        shown = key.replace(STATUS_PREFIX, "⇧") if key else ""  # "⇧2": Shift+2
        button = w.Button(description=f"{shown}  {value.label}" if key else value.label,
                          tooltip=value.description or value.label,
                          layout=w.Layout(width="auto", border="3px solid transparent"))
        button.style.button_color = value.colour
        button.style.text_color = render.text_colour(value.colour)
        button.add_class(f"ck-{kind}-{value.id}")
        action = self.set_verdict if kind == "verdict" else self.set_status
        button.on_click(lambda _, v=value.id: self._clicked(action, v))
        return button

    def _plain(self, key: str, label: str, action, css: str) -> w.Button:
        button = w.Button(description=f"{key}  {label}", layout=w.Layout(width="auto"))
        button.add_class(css)
        button.on_click(lambda _: self._clicked(action))
        return button

    def _layout(self) -> w.VBox:
        f = self.filter_widgets
        filters = w.HBox([f["status"], f["verdict"], f["tag"], f["outlet"], f["kind"],
                          f["speaker"], f["search"], f["flagged"], self.unreviewed_box,
                          self.my_queue_box, self.sort_box],
                         layout=w.Layout(flex_flow="row wrap"))
        progress = w.HBox([self.progress, self.progress_label],
                          layout=w.Layout(align_items="center", flex_flow="row wrap"))
        wrap = w.Layout(flex_flow="row wrap")
        # The claim pane: reading and deciding, keys on (no box to type into in here).
        # Decisions above the claim, so a laptop screen shows them with the paragraph.
        self.claim_pane = w.VBox([
            w.HBox([w.HTML("<b>Verdict</b>&nbsp;", layout=_width("62px")),
                    *self.verdict_buttons.values()], layout=wrap),
            w.HBox([w.HTML("<b>Status</b>&nbsp;", layout=_width("62px")),
                    *self.status_buttons.values()], layout=wrap),
            w.HBox([self.previous_button, self.next_button, self.undo_button, self.flag_button,
                    self.help_button], layout=wrap),
            self.message,
            self.conflict_box,
            self.help_view,
            self.card,
            self.matches_view,
            w.HBox(self.match_buttons, layout=wrap),
            self.cluster_view,
            w.HBox([self.uncluster_button, self.cluster_verdict_button], layout=wrap),
            self.history_view,
        ], layout=w.Layout(flex="3 1 440px", min_width="0", margin="0 16px 0 0",
                           padding="0 4px 8px 0"))
        self.claim_pane.add_class("ck-claim-pane")
        # The edit pane: boxes one types into, outside the key listener's reach.
        edit_pane = w.VBox([
            w.HTML("<b>Tags</b>"), self.tags_box, self.tag_picker,
            w.HTML("<b>Note and evidence</b>"), self.note_box, self.evidence_box,
            w.HTML("<b>Fix the extraction</b>"),
            w.HBox([self.speaker_box, self.not_a_claim_box],
                   layout=w.Layout(align_items="center")),
            w.HBox([self.kind_picker, self.cue_class_picker], layout=wrap),
            self.content_box,
            w.HTML("<b>Speaker across articles</b>"),
            w.HBox([self.speaker_entity_action, self.speaker_entity_box,
                    self.speaker_entity_button], layout=w.Layout(align_items="center")),
            w.HTML("<b>All claims in this filter</b>"),
            w.HBox([self.bulk_action, self.bulk_value, self.bulk_button], layout=wrap),
            self.bulk_confirm_box,
        ], layout=w.Layout(flex="2 1 300px", min_width="0"))
        edit_pane.add_class("ck-edit-pane")
        body = w.HBox([self.claim_pane, edit_pane],
                      layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))
        root = w.VBox([self.who_row, filters, progress, body],
                      layout=w.Layout(max_width="100%"))
        root.add_class("claimkit-review")
        return root

    # --- the queue ------------------------------------------------------------------------------

    @property
    def filters(self) -> dict[str, Any]:
        """The store filters in force: the fixed ones and what the widgets say."""
        chosen = {name: box.value for name, box in self.filter_widgets.items()}
        filters = store_filters(self.fixed_filters, chosen, self.unreviewed_box.value)
        if self.my_queue_box.value:
            # Nobody named yet: an assignee no claim has, so the queue is empty, not everyone's.
            filters["assignee"] = self.reviewer or []
        return filters

    def set_reviewer(self, name: str) -> None:
        """Who this app's changes are recorded as (and whose queue "my queue" is)."""
        name = " ".join(name.split())
        if not name:
            return
        self.reviewer = name
        self.who_row.layout.display = "none"
        if self.my_queue_box.value:
            self.reload()
        else:
            self._say(f"Reviewing as {name}.")

    def reload(self, resume: bool = False) -> None:
        """Read the queue for the current filters again, staying on the same claim if it is
        still in it (else the first claim without a decision); ``resume``: where this reviewer
        left off (see ``resume``)."""
        keep = self.current["claim_id"] if self.current else None
        frame = self.store.review_queue(sort=self.sort_box.value, **self.filters)
        self.queue = Queue.from_frame(frame)
        if keep is not None:
            self.queue.go_to(keep)
        elif resume:
            self.queue.resume_at(self._left_off())
        self._hide_conflict()
        self.show()

    def resume(self) -> None:
        """Go where this reviewer left off: at the claim of their latest change in the store,
        or the next undecided one after it in the current order (see ``Queue.resume_at``)."""
        self.queue.resume_at(self._left_off())
        self.show()

    def _left_off(self) -> str | None:
        last = self.store.last_change(self.reviewer) if self.reviewer else None
        return last["claim_id"] if last else None

    def set_filters(self, **values: Any) -> None:
        """Set filter widgets (and ``unreviewed`` / ``sort``) as a user would; reloads once."""
        with self._quiet():
            for name, value in values.items():
                if name == "unreviewed":
                    self.unreviewed_box.value = bool(value)
                elif name == "sort":
                    self.sort_box.value = value
                elif name == "my_queue":
                    self.my_queue_box.value = bool(value)
                elif name in self.filter_widgets:
                    self.filter_widgets[name].value = _widget_value(name, value)
                else:
                    raise TypeError(f"no filter widget {name!r}; widgets: "
                                    f"{', '.join([*UI_FILTERS, 'unreviewed', 'sort', 'my_queue'])}")
        self.reload()

    def show(self) -> None:
        """Read the queue's current claim from the store and show it."""
        claim_id = self.queue.current
        self.current = self.store.claim(claim_id) if claim_id else None
        self._render()

    def next(self) -> None:
        self._hide_conflict()
        if self.queue.next():
            self.show()
        else:
            self._say("That was the last claim in this filter.")

    def previous(self) -> None:
        self._hide_conflict()
        if self.queue.previous():
            self.show()
        else:
            self._say("This is the first claim in this filter.")

    # --- changing the review --------------------------------------------------------------------

    def set_verdict(self, verdict: str) -> None:
        """Record a verdict and move on to the next claim."""
        if self._save(verdict=verdict):
            self.next()

    def set_status(self, status: str) -> None:
        self._save(status=status)

    def toggle_flag(self) -> None:
        if self.current:
            self._save(flagged=not self.current["flagged"])

    def set_tags(self, tags: Iterable[str]) -> None:
        self._save(tags=list(tags))

    def add_tag(self, tag: str) -> None:
        if tag.strip():
            self._save(add_tags=[tag])

    def set_note(self, note: str) -> None:
        self._save(note=note)

    def set_evidence(self, urls: str | Iterable[str]) -> None:
        self._save(evidence=urls.split() if isinstance(urls, str) else list(urls))

    def correct_speaker(self, speaker: str) -> None:
        """The speaker as it should have been extracted (empty: back to the extractor's)."""
        self._save(corrected_speaker=speaker)

    def rename_speaker_entity(self, name: str) -> bool:
        """Rename the claim's speaker entity (every claim of it, in every article)."""
        return self._speaker_entity_change("rename", name)

    def merge_speaker_entity(self, into: str) -> bool:
        """Merge the claim's speaker entity into the speaker named ``into``."""
        return self._speaker_entity_change("merge", into)

    def _apply_speaker_entity(self) -> None:
        self._speaker_entity_change(self.speaker_entity_action.value,
                                    self.speaker_entity_box.value)

    def _speaker_entity_change(self, action: str, name: str) -> bool:
        """A rename or merge of the speaker on screen, recorded as a speaker event by this
        reviewer; the problem shown (not raised) when it cannot be done."""
        if not self.current:
            return False
        speaker_id, name = self.current.get("speaker_id"), " ".join(str(name).split())
        try:
            if speaker_id is None:  # store.claim() gives a missing id as None
                raise ValueError("this claim's speaker is no person or organisation: correct "
                                 "the speaker first")
            speaker_id, before = int(speaker_id), self.current.get("speaker_name") or ""
            if action == "rename":
                self.store.rename_speaker(speaker_id, name, reviewer=self.reviewer)
                done = f"Speaker renamed everywhere: {before} → {name}."
            else:
                kept = self.store.find_speaker(name)
                if kept is None:
                    raise ValueError(f"no speaker named {name!r} to merge into")
                self.store.merge_speakers(kept, speaker_id, reviewer=self.reviewer)
                done = f"Speaker {before} merged into {self.store.speaker(kept)['name']}."
        except (ValueError, UnknownSpeakerError) as problem:
            self._render(message=render.message_html(str(problem), error=True))
            return False
        self._refresh_current(render.message_html(done))
        return True

    def mark_not_a_claim(self, not_a_claim: bool = True) -> None:
        self._save(not_a_claim=not_a_claim)

    def correct_kind(self, kind: str) -> None:
        """The kind (direct, mixed, indirect, assertion) it should have been; "": the
        extractor's."""
        self._save(corrected_kind=kind)

    def correct_cue_class(self, cue_class: str) -> None:
        """The cue class (assert, deny, …) it should have been; "": the extractor's."""
        self._save(corrected_cue_class=cue_class)

    def trim_content(self, content: str) -> None:
        """Trim the content to the part that is the claim (a substring of the claim's text);
        "": all of it again."""
        self._save(corrected_content=content)

    def _save(self, **change: Any) -> bool:
        """Write one change at the version on screen; True when it was stored."""
        if not self.current:
            return False
        claim_id, version = self.current["claim_id"], self.current["version"]
        try:
            new_version = self.store.review(claim_id, expected_version=version,
                                            reviewer=self.reviewer, **change)
        except ConflictError as conflict:
            self._show_conflict(conflict, change)
            return False
        except (ValueError, TypeError) as problem:
            self._render(message=render.message_html(str(problem), error=True))
            return False
        if new_version != version:
            self.undo_stack.append((claim_id, {claim_id: [new_version, version]}))
        self._refresh_current()
        return True

    def undo(self) -> None:
        """Undo this session's latest change (going back to its claim first)."""
        self._hide_conflict()
        if not self.undo_stack:
            self._say("Nothing to undo in this session.")
            return
        claim_id, step = self.undo_stack[-1]
        if claim_id is None:
            self._undo_bulk(step)
            return
        version = step[claim_id][0]
        if not self.current or self.current["claim_id"] != claim_id:
            self.queue.go_to(claim_id)
            self.current = self.store.claim(claim_id)
        try:
            now = self.store.undo(claim_id, reviewer=self.reviewer, expected_version=version)
        except ConflictError as conflict:
            self.undo_stack.pop()  # their change is on top now: undoing mine would undo theirs
            self._show_conflict(conflict, None)
            return
        except NothingToUndo as done:
            self.undo_stack.pop()
            self._say(str(done))
            return
        self.undo_stack.pop()
        self._after_undo(step, {claim_id: now})
        self._refresh_current(message=render.message_html("Undone."))

    # --- all claims in this filter -------------------------------------------------------------

    def ask_apply_to_all(self, action: str, value: str) -> None:
        """Ask to confirm one change to every claim in this filter: ``action`` is a value of
        BULK_ACTIONS (``status``, ``verdict``, ``add_tags``, ``assignee``)."""
        if action not in BULK_ACTIONS.values():
            raise ValueError(f"unknown action {action!r}; actions: "
                             f"{', '.join(BULK_ACTIONS.values())}")
        value = value.strip()
        if not value and action in ("status", "add_tags"):
            self._say("Type the status or tag to apply first.")
            return
        n = len(self.queue)
        if n == 0:
            self._say("No claims in this filter.")
            return
        label = next(k for k, v in BULK_ACTIONS.items() if v == action)
        what = f"{label} {value!r}" if value else f"{label}: nobody" if action == "assignee" \
            else f"{label}: none"
        self.pending_bulk = {"action": action, "value": value}
        self.bulk_confirm_text.value = render.message_html(
            f"Change all {n} claims in this filter ({what})? Undo takes it back as one step.")
        self.bulk_confirm_box.layout.display = "flex"

    def confirm_apply_to_all(self) -> int:
        """Apply the change asked for to every claim the filter matches now, in one
        transaction; returns how many changed."""
        pending, self.pending_bulk = self.pending_bulk, None
        self.bulk_confirm_box.layout.display = "none"
        if pending is None:
            return 0
        action, value = pending["action"], pending["value"]
        change = {action: [value] if action == "add_tags" else value}
        try:
            result = self.store.bulk_review(self.filters, reviewer=self.reviewer, **change)
        except (ValueError, TypeError) as problem:
            self._render(message=render.message_html(str(problem), error=True))
            return 0
        if result.versions:
            self.undo_stack.append((None, {c: [v, v - 1] for c, v in result.versions.items()}))
        self.reload()
        self._say(f"{result.matched} claims matched, {int(result)} changed.")
        return int(result)

    def cancel_apply_to_all(self) -> None:
        self.pending_bulk = None
        self.bulk_confirm_box.layout.display = "none"
        self._say("Nothing changed.")

    def _undo_bulk(self, step: dict[str, list[int]]) -> None:
        try:
            undone = self.store.undo_many({c: v[0] for c, v in step.items()},
                                          reviewer=self.reviewer)
        except ConflictError as conflict:
            self.undo_stack.pop()
            self._say(f"Not undone: claim {conflict.claim_id} was changed since; undo its "
                      "changes one claim at a time.")
            return
        self.undo_stack.pop()
        self._after_undo(step, undone)
        self.reload()
        self._say(f"Undone on {len(undone)} claims.")

    def _after_undo(self, step: dict[str, list[int]], now: dict[str, int]) -> None:
        """An undo put the claims of ``step`` back as they were at the version before it, and
        wrote that state as the versions in ``now``: an earlier step of this session that
        left a claim at that version now expects ``now``, so it can be undone in turn."""
        for _, earlier in self.undo_stack:
            for claim_id, versions in earlier.items():
                if claim_id in step and versions[0] == step[claim_id][1]:
                    versions[0] = now[claim_id]

    def _refresh_current(self, message: str = "") -> None:
        self.current = self.store.claim(self.current["claim_id"])
        self.queue.mark(self.current["claim_id"],
                        is_decided(self.current["verdict"], self.current["not_a_claim"]))
        self._render(message=message)

    # --- conflicts ------------------------------------------------------------------------------

    def _show_conflict(self, conflict: ConflictError, mine: dict[str, Any] | None) -> None:
        self.pending = mine
        self.current = self.store.claim(conflict.claim_id)  # what they set, on screen
        self.conflict_text.value = render.conflict_html(conflict.changes, mine)
        self.apply_mine_button.disabled = mine is None
        self.conflict_box.layout.display = "flex"
        self._render()

    def _hide_conflict(self) -> None:
        self.pending = None
        self.conflict_box.layout.display = "none"

    @property
    def in_conflict(self) -> bool:
        return self.conflict_box.layout.display != "none"

    def keep_theirs(self) -> None:
        self._hide_conflict()
        self._refresh_current(message=render.message_html("Kept the other reviewer's change."))

    def apply_mine(self) -> None:
        """Redo my change on top of theirs (the claim on screen is now their version)."""
        change = self.pending
        self._hide_conflict()
        if change:
            self._save(**change)

    # --- keys -----------------------------------------------------------------------------------

    def press(self, key: str) -> bool:
        """Do what ``key`` does (as the key map spells it: "j", "shift+2", "ArrowDown");
        False if it does nothing."""
        action, argument = self.actions.get(key) or self.actions.get(key.lower(), (None, None))
        if action is None:
            if len(key) == 1 and not key.isspace():
                self._say(f"The key {key!r} does nothing here; ? shows the keys.")
            return False
        handlers = {"verdict": lambda: self.set_verdict(argument),
                    "status": lambda: self.set_status(argument), "next": self.next,
                    "previous": self.previous, "undo": self.undo, "flag": self.toggle_flag,
                    "not_a_claim": self.toggle_not_a_claim, "note": self.focus_note,
                    "help": self.toggle_help}
        handlers[action]()
        return True

    def _on_key_event(self, event: dict[str, Any]) -> None:
        """An ipyevents keydown over the claim pane."""
        key = key_name(event)
        if key is not None:
            self.press(key)

    def toggle_not_a_claim(self) -> None:
        if self.current:
            self.mark_not_a_claim(not self.current["not_a_claim"])

    def focus_note(self) -> None:
        """Put the cursor in the note box. Keys stay commands while the pointer is over the
        claim (ipyevents takes them there), so the message says to move it."""
        if self.current:
            self.note_box.focus()
            self._say("The note box has the cursor: type with the pointer over the right-hand "
                      "boxes (over the claim, keys are commands).")

    def toggle_help(self) -> None:
        shown = self.help_view.layout.display != "none"
        self.help_view.layout.display = "none" if shown else "block"

    # --- widget events --------------------------------------------------------------------------

    def _clicked(self, action, *args) -> None:
        action(*args)

    def _on_filter(self, change) -> None:
        if not self._quiet_depth:
            self.reload()

    def _on_tags(self, change) -> None:
        if not self._quiet_depth:
            self.set_tags(change.new)

    def _on_tag_picked(self, change) -> None:
        if self._quiet_depth or not change.new.strip():
            return
        self.add_tag(change.new)
        with self._quiet():
            self.tag_picker.value = ""
            self.tag_picker.options = self.store.tag_names()

    def _quiet_or(self, action, value) -> None:
        if not self._quiet_depth:
            action(value)

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set widget values from the store without treating them as the reviewer's input."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    # --- drawing --------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.value = render.message_html(text)

    def _render(self, message: str = "") -> None:
        self.message.value = message
        decided, total = self.queue.progress
        self.progress.max = max(total, 1)
        self.progress.value = decided
        share = f" ({decided / total:.0%})" if total else ""
        self.bulk_button.description = f"apply to all {total} in this filter"
        self.bulk_button.disabled = total == 0
        self.progress_label.value = (f'<span class="ck-progress">{decided} of {total} reviewed'
                                     f'{share} in this filter</span>')
        claim = self.current
        if claim is None:
            self.card.value = render.empty_card(describe_filters(self.filters))
            self.history_view.value = ""
            self._sync_inputs({})
            return
        self.card.value = render.claim_card(
            claim, self._article_text(claim["article_id"]),
            position=self.queue.position if self.queue.current == claim["claim_id"] else None,
            total=len(self.queue), statuses=self.statuses, verdicts=self.verdicts)
        self.history_view.value = render.history_html(self._events(claim["claim_id"]))
        self._show_matches(claim["claim_id"])
        self._show_cluster(claim)
        self._sync_inputs(claim)

    # --- earlier checks ---------------------------------------------------------------------

    def _show_matches(self, claim_id: str) -> None:
        """The best earlier checks of the claim beside it, when the store has any to offer."""
        self.shown_matches = []
        if self.store.has_earlier_checks():
            frame = self.store.matches(claim_id, k=len(self.match_buttons))
            self.shown_matches = frame.to_dict("records")
            self.matches_view.value = render.matches_html(self.shown_matches)
        else:
            self.matches_view.value = ""
        for n, button in enumerate(self.match_buttons):
            button.layout.display = "flex" if n < len(self.shown_matches) else "none"

    # --- the claim's cluster: the same claim in other articles --------------------------------

    def _show_cluster(self, claim: dict[str, Any]) -> None:
        """The other wordings of the claim (outlet and text) with the two cluster actions;
        nothing when the claim stands alone."""
        cluster_id = claim.get("cluster_id")
        others: list[dict[str, Any]] = []
        if isinstance(cluster_id, str) and cluster_id:
            frame = self.store.cluster(cluster_id)
            others = frame[frame["claim_id"] != claim["claim_id"]].to_dict("records")
        self.cluster_size = len(others) + 1 if others else 0
        self.cluster_view.value = render.cluster_html(others)
        self.cluster_verdict_button.description = (
            f"apply this verdict to the whole cluster ({self.cluster_size} claims)")
        for button in (self.uncluster_button, self.cluster_verdict_button):
            button.layout.display = "flex" if others else "none"

    def remove_from_cluster(self) -> bool:
        """Take the claim on screen out of its cluster (a review change: undo puts it back)."""
        if not self.current or not self.cluster_size:
            return False
        claim_id, version = self.current["claim_id"], self.current["version"]
        try:
            new_version = self.store.remove_from_cluster(claim_id, reviewer=self.reviewer,
                                                         expected_version=version)
        except ConflictError as conflict:
            self._show_conflict(conflict, None)
            return False
        self.undo_stack.append((claim_id, {claim_id: [new_version, version]}))
        self._refresh_current(message=render.message_html("Taken out of its cluster."))
        return True

    def apply_verdict_to_cluster(self) -> int:
        """The claim's verdict to every claim of its cluster, in one transaction; undo takes
        it back as one step. Returns how many claims changed."""
        if not self.current or not self.cluster_size:
            return 0
        verdict = self.current.get("verdict")
        if _is_na(verdict) or not verdict:
            self._say("Give this claim a verdict first.")
            return 0
        try:
            result = self.store.review_cluster(self.current["cluster_id"], verdict=verdict,
                                               reviewer=self.reviewer)
        except (ValueError, TypeError, KeyError) as problem:
            self._render(message=render.message_html(str(problem), error=True))
            return 0
        if result.versions:
            self.undo_stack.append((None, {c: [v, v - 1] for c, v in result.versions.items()}))
        self._refresh_current(message=render.message_html(
            f"Verdict applied to {int(result)} more claims of the cluster."))
        return int(result)

    def accept_match(self, n: int) -> None:
        """Take earlier check #n over: its verdict where this store has that verdict (by id or
        label), its URL as evidence, and a note saying whose check it was; one review change."""
        if not self.current or not 1 <= n <= len(self.shown_matches):
            return
        match = self.shown_matches[n - 1]
        evidence = list(self.current.get("evidence") or [])
        if match.get("url") and match["url"] not in evidence:
            evidence.append(match["url"])
        verdict = self.verdicts.find(match.get("verdict") or "")
        who = "our desk" if match["source"] == "store" else match.get("publisher") or "a fact-checker"
        note = (self.current.get("note") or "").rstrip()
        said = f"Checked before by {who}: {match.get('verdict') or 'no verdict'}."
        change: dict[str, Any] = {"evidence": evidence,
                                  "note": f"{note}\n{said}".strip() if said not in note else note}
        if verdict is not None:
            change["verdict"] = verdict
        self._save(**change)

    def _sync_inputs(self, claim: dict[str, Any]) -> None:
        with self._quiet():
            for value, button in self.verdict_buttons.items():
                _select(button, claim.get("verdict") == value)
            for value, button in self.status_buttons.items():
                _select(button, claim.get("status") == value)
            self.flag_button.description = ("f  unflag" if claim.get("flagged")
                                            else "f  flag for later")
            self.tags_box.value = list(claim.get("tags") or [])
            self.note_box.value = claim.get("note") or ""
            self.evidence_box.value = " ".join(claim.get("evidence") or [])
            self.speaker_box.value = claim.get("corrected_speaker") or ""
            self.speaker_entity_box.value = claim.get("speaker_name") or ""
            self.not_a_claim_box.value = bool(claim.get("not_a_claim"))
            self.kind_picker.value = claim.get("corrected_kind") or ""
            cue_class = claim.get("corrected_cue_class") or ""
            self.cue_class_picker.value = cue_class if cue_class in cue_class_ids() else ""
            self.content_box.value = claim.get("corrected_content") or ""
        for box in (*self.verdict_buttons.values(), *self.status_buttons.values(),
                    self.flag_button, self.undo_button, self.tags_box, self.tag_picker,
                    self.note_box, self.evidence_box, self.speaker_box, self.not_a_claim_box,
                    self.speaker_entity_box, self.speaker_entity_action,
                    self.speaker_entity_button,
                    self.kind_picker, self.cue_class_picker, self.content_box):
            box.disabled = not claim
        self._offer_what_the_workflow_allows(claim)

    def _offer_what_the_workflow_allows(self, claim: dict[str, Any]) -> None:
        """Only the statuses the claim may move to are live, and the verdicts only where
        they may change (a published claim's verdict is frozen until a correction)."""
        if not claim:
            return
        allowed = set(self.workflow.next_statuses(claim["status"], self.statuses.ids,
                                                  has_verdict=claim.get("verdict") is not None))
        for value, button in self.status_buttons.items():
            button.disabled = value not in allowed
        frozen = claim["status"] in self.workflow.verdict_frozen_in
        for button in self.verdict_buttons.values():
            button.disabled = frozen

    def _events(self, claim_id: str) -> list[dict[str, Any]]:
        """The claim's history events as plain dicts (missing values as None), oldest first."""
        rows = self.store.history(claim_id).to_dict("records")
        for row in rows:  # old/new are plain objects already; undoes is nullable Int64
            row["undoes"] = None if _is_na(row["undoes"]) else int(row["undoes"])
        return rows

    def _article_text(self, article_id: str) -> str:
        if article_id not in self._articles:
            self._articles[article_id] = self.store.article(article_id).text
            if len(self._articles) > ARTICLE_CACHE:
                self._articles.popitem(last=False)
        self._articles.move_to_end(article_id)
        return self._articles[article_id]


def _select(button: w.Button, selected: bool) -> None:
    border = "3px solid #111" if selected else "3px solid transparent"
    if button.layout.border != border:
        button.layout.border = border
        button.style.font_weight = "bold" if selected else ""


def _widget_value(name: str, value: Any) -> Any:
    if name == "flagged":
        return value is True
    if name == "verdict" and value == NO_VERDICT:
        return NO_VERDICT
    return value if isinstance(value, str) else ANY


def _is_na(value: Any) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return False
    try:
        return bool(value is None or value != value)  # NaN, NaT
    except TypeError:  # pd.NA
        return True


def _full() -> w.Layout:
    """The width of its pane: widgets keep a 2px margin each side, so 100% would overflow."""
    return w.Layout(width="calc(100% - 6px)")


def _width(width: str) -> w.Layout:
    return w.Layout(width=width)
