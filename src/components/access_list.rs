use leptos::prelude::*;

use super::icons::SpinnerIcon;
use super::sentence::{named, timed};
use crate::domain::impact::{count_by_kind, kind_count_key, kind_key, ACCESS_SHOWN_FIRST};
use crate::domain::{AccessItem, AccessState, LastUsed};
use crate::i18n::{display_date, list, say, tr, track, Key, Message};

/// In the leave dialog, under the warning: what leaving takes away ("You'll lose access to:"),
/// counted by kind, then the items, most recently used first, the first few shown and the rest
/// behind "Show all N". The section keeps its place from the first frame: while the answer is
/// on its way it shows "Checking what you'll lose…" with a spinner (a polite live region); if
/// it fails nothing is shown (the warning above stays the whole story). Names are the service's
/// text, isolated and never markup.
#[component]
pub fn AccessList(
    /// What is known so far.
    #[prop(into)]
    state: Signal<AccessState>,
    /// The organization's name, for the sentences that name it.
    #[prop(into)]
    organization: Signal<String>,
) -> impl IntoView {
    let expanded = RwSignal::new(false);
    // A new answer (another organization) starts folded again.
    Effect::new(move |_| {
        state.track();
        expanded.set(false);
    });
    // The polite announcement: loading (shown), then the summary of what is lost (heard).
    let loading = move || state.with(|s| matches!(s, AccessState::Loading));
    let announcement = move || {
        track();
        state.with(|s| match s {
            AccessState::Loading => view! {
                <SpinnerIcon />
                {tr(Key::AccessChecking)}
            }
            .into_any(),
            AccessState::Loaded(items) if !items.is_empty() => summary(items).into_any(),
            _ => ().into_any(),
        })
    };
    let body = move || {
        track();
        state.with(|s| match s {
            AccessState::Loaded(items) if items.is_empty() => Some(
                view! { <p class="access-none">{organization.with(|name| named(Key::AccessNone, name))}</p> }
                .into_any(),
            ),
            AccessState::Loaded(items) => Some(loaded(items.clone(), expanded).into_any()),
            _ => None,
        })
    };
    view! {
        <div class="access">
            <p class="access-checking" class:visually-hidden=move || !loading() role="status">
                {announcement}
            </p>
            {body}
        </div>
    }
}

/// "You'll lose access to 3 apps, 2 groups and 1 team."
fn summary(items: &[AccessItem]) -> String {
    let counts: Vec<String> = count_by_kind(items)
        .into_iter()
        .map(|(kind, n)| say(&Message::count(kind_count_key(kind), n)))
        .collect();
    crate::domain::i18n::fill(&tr(Key::AccessSummary), &[("items", &list(&counts))])
}

fn loaded(items: Vec<AccessItem>, expanded: RwSignal<bool>) -> impl IntoView {
    let total = items.len();
    let counts = count_by_kind(&items)
        .into_iter()
        .map(|(kind, n)| say(&Message::count(kind_count_key(kind), n)))
        .collect::<Vec<_>>();
    let rows = move || {
        let shown = if expanded.get() {
            total
        } else {
            total.min(ACCESS_SHOWN_FIRST)
        };
        items.iter().take(shown).map(row).collect_view()
    };
    let toggle = (total > ACCESS_SHOWN_FIRST).then(|| {
        view! {
            <button
                type="button"
                class="btn btn-subtle btn-small access-toggle"
                aria-expanded=move || expanded.get().to_string()
                aria-controls="access-items"
                on:click=move |_| expanded.update(|e| *e = !*e)
            >
                {move || {
                    if expanded.get() {
                        tr(Key::ShowFewer)
                    } else {
                        say(&Message::count(Key::ShowAll, total as u64))
                    }
                }}
            </button>
        }
    });
    view! {
        <h3 class="access-heading" id="access-heading">
            {tr(Key::AccessHeading)}
        </h3>
        <p class="access-counts">{list(&counts)}</p>
        <ul class="access-items" id="access-items" aria-labelledby="access-heading">
            {rows}
        </ul>
        {toggle}
    }
}

fn row(item: &AccessItem) -> impl IntoView {
    let used = match item.last_used {
        LastUsed::At(ms) => timed(Key::UsedWhen, "when", ms, display_date(ms)),
        LastUsed::Never => tr(Key::NeverUsed).into_any(),
        LastUsed::Unknown => tr(Key::LastUseUnknown).into_any(),
    };
    view! {
        <li class="access-item">
            <span class="access-kind">{tr(kind_key(item.kind))}</span>
            <bdi class="access-name">{item.display_name.clone()}</bdi>
            <span class="access-used">{used}</span>
        </li>
    }
}
