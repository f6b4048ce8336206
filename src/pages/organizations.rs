use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use super::{load_failed, set_title, stale_note};
use crate::components::ids::OTHERS_HEADING_ID;
use crate::components::routes::query_param;
use crate::components::{
    named, FindBar, HomeOrganizationCard, LoadingCards, OrganizationList, RecentlyLeft,
    RemovalProps,
};
use crate::context::{leave_flow, load_departures, load_organizations, removal_flow};
use crate::domain::find::{fold, haystack, matches, query_from_param, sorted, Sort};
use crate::domain::i18n::fill;
use crate::domain::{not_left, Organization};
use crate::i18n::{decompose, number, say, t, tr, track, Key, Message};

/// From this many other organizations on, the page offers find and sort.
const FIND_FROM: usize = 6;
/// Past this many rows the list is built progressively: a first screenful or so at once, the
/// rest in chunks between which the browser paints and answers input.
const PROGRESSIVE_FROM: usize = 2_000;
const FIRST_CHUNK: usize = 300;
const CHUNK: usize = 700;
/// How long after the whole list has arrived its search texts are made: after the rows are
/// built and painted, before most people type.
const WARM_AFTER: Duration = Duration::from_millis(500);
/// How long typing pauses before the query is written to the address. Writing it
/// (`history.replaceState`) costs the browser time that grows with the page: 4-6 ms a keystroke
/// at 10,000 rows, a fifth of the keystroke. A reload in that moment forgets the last letters.
const ADDRESS_AFTER: Duration = Duration::from_millis(300);

/// "Organizations": the home organization, then every other organization with a way to leave
/// it. Without a home organization there is a single "Organizations" heading over the list.
/// Long lists can be searched and sorted; both live in the address (`?q=&sort=`).
#[component]
pub fn OrganizationsPage() -> impl IntoView {
    set_title(Key::Organizations);
    let flow = leave_flow();
    let orgs = load_organizations();
    let home = Memo::new(move |_| {
        orgs.with(|o| o.and_then(|r| r.as_ref().ok()).and_then(|o| o.home.clone()))
    });
    // Find and sort start from the address and write back to it (replaced, not pushed: typing
    // doesn't fill the history, and a reload keeps them). Not a navigation: this is state of
    // this page, and a navigation per keystroke would build the page anew each time.
    let text = RwSignal::new(query_param("q").unwrap_or_default());
    let sort = RwSignal::new(Sort::from_param(query_param("sort").as_deref()));
    let query = Memo::new(move |_| text.with(|t| query_from_param(Some(t))));

    // The other organizations, shared and in the chosen order: made once per load or order, so
    // a leave or a keystroke filters pointers and clones no organization.
    let in_order = Memo::new_with_compare(
        move |_| {
            let sort = sort.get();
            orgs.with(|o| match o {
                Some(Ok(orgs)) => sorted(
                    orgs.others.iter().cloned().map(Arc::new).collect(),
                    sort,
                    &decompose,
                ),
                _ => Vec::new(),
            })
        },
        changed,
    );
    // Each organization's folded text, made soon after the list is all there (a long list is
    // searched at once, not after building 10,000 texts on the first keystroke), or when
    // someone searches before that.
    let searching = Memo::new(move |_| !query.with(String::is_empty));
    let warm = RwSignal::new(false);
    Effect::new(move |_| {
        if orgs.complete() && !warm.get_untracked() {
            set_timeout(
                move || {
                    let _ = warm.try_set(true);
                },
                WARM_AFTER,
            );
        }
    });
    let haystacks = Memo::new_with_compare(
        move |_| {
            // `warm` first: once it is set, the first keystroke (searching, from not) doesn't
            // make the 10,000 texts again (it cost that keystroke 20 ms).
            if !warm.get() && !searching.get() {
                return None;
            }
            orgs.with(|o| match o {
                Some(Ok(orgs)) => Some(Arc::new(
                    orgs.others
                        .iter()
                        .map(|org| (org.id.clone(), haystack(org, &decompose)))
                        .collect::<HashMap<_, _>>(),
                )),
                _ => None,
            })
        },
        changed,
    );
    // Not left in this visit: what "N of M" counts.
    let remaining = Memo::new_with_compare(
        move |_| {
            let left = flow.left.read();
            in_order.with(|all| not_left(all, &left).cloned().collect::<Vec<_>>())
        },
        changed,
    );
    let others = Memo::new_with_compare(
        move |_| {
            let folded = query.with(|q| fold(q, &decompose));
            haystacks.with(|hay| match hay {
                Some(hay) if !folded.is_empty() => remaining.with(|all| {
                    all.iter()
                        .filter(|o| hay.get(&o.id).is_some_and(|h| matches(h, &folded)))
                        .cloned()
                        .collect::<Vec<_>>()
                }),
                _ => remaining.get(),
            })
        },
        same_rows_or_changed,
    );
    // The first page of a long list shows while the rest arrives, in name order, the order the
    // API sends: later pages only add rows below. Another order would move rows when the rest
    // arrives: that list waits for all of it.
    let complete = Memo::new(move |_| orgs.complete());
    let waiting = Memo::new(move |_| !complete.get() && sort.get() != Sort::Name);
    let (shown, building) = progressively(others, complete.into());

    let write_params = move |q: Option<String>, s: Option<Sort>| {
        let location = window().location();
        let Ok(url) = web_sys::Url::new(&location.href().unwrap_or_default()) else {
            return;
        };
        let params = url.search_params();
        if let Some(q) = q {
            if q.trim().is_empty() {
                params.delete("q");
            } else {
                params.set("q", &q);
            }
        }
        if let Some(s) = s {
            if s == Sort::default() {
                params.delete("sort");
            } else {
                params.set("sort", s.as_param());
            }
        }
        if let Ok(history) = window().history() {
            let _ =
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
        }
    };
    let write = StoredValue::new(write_params);
    // The query waiting to be written to the address, if typing hasn't paused yet.
    let unwritten = StoredValue::new(None::<TimeoutHandle>);
    let forget_unwritten = move || {
        if let Some(timer) = unwritten.try_update_value(Option::take).flatten() {
            timer.clear();
        }
    };
    on_cleanup(forget_unwritten);
    // Only whether to offer find and sort is tracked here: the controls stay put (and keep
    // focus) while the list, the order and the count change.
    let offer_find = Memo::new(move |_| in_order.with(Vec::len) >= FIND_FROM);
    let find = move || {
        offer_find.get().then(|| {
            view! {
                <div class="find-sticky">
                    <FindBar
                        text
                        sort
                        on_text=Callback::new(move |q: String| {
                            forget_unwritten();
                            let timer = set_timeout_with_handle(
                                move || {
                                    unwritten.try_set_value(None);
                                    write.try_with_value(|w| w(Some(q), None));
                                },
                                ADDRESS_AFTER,
                            );
                            unwritten.set_value(timer.ok());
                        })
                        on_sort=Callback::new(move |s: Sort| {
                            sort.set(s);
                            write.with_value(|w| w(None, Some(s)))
                        })
                    />
                    <p class="find-count" role="status">
                        {move || {
                            track();
                            if !complete.get() {
                                return tr(Key::LoadingOrganizations);
                            }
                            let total = remaining.with(Vec::len) as u64;
                            if searching.get() {
                                fill(
                                    &say(&Message::count(Key::FindCount, total)),
                                    &[("shown", &number(others.with(Vec::len) as u64))],
                                )
                            } else {
                                say(&Message::count(Key::OrganizationCount, total))
                            }
                        }}
                    </p>
                </div>
            }
        })
    };
    let clear = Callback::new(move |()| {
        forget_unwritten();
        text.set(String::new());
        write.with_value(|w| w(Some(String::new()), None));
        focus_search();
    });
    let open = Callback::new(move |org: Organization| flow.open(&org));
    let copied = Callback::new(move |ok: bool| flow.copied(ok));
    let asking = removal_flow();
    let removal = Some(RemovalProps {
        changed: asking.changed.into(),
        cancelling: asking.cancelling.into(),
        cancel_error: asking.cancel_error.into(),
        on_ask: Callback::new(move |org: Organization| asking.open(&org)),
        on_cancel: Callback::new(move |(org, request)| asking.cancel(&org, &request)),
    });
    // Only whether anything was found decides between the list and "nothing matches": a
    // keystroke changes the rows inside the list, never the list itself.
    let no_match = Memo::new(move |_| {
        searching.get() && others.with(Vec::is_empty) && !remaining.with(Vec::is_empty)
    });
    let list = move |empty: Key| {
        move || {
            if waiting.get() {
                return view! { <LoadingCards label=Key::LoadingOrganizations count=3 /> }
                    .into_any();
            }
            if no_match.get() {
                track();
                let query = query.get();
                return view! {
                    <div class="card empty-state no-match">
                        <p>{named(Key::NoMatch, &query)}</p>
                        <button
                            type="button"
                            class="btn btn-secondary"
                            on:click=move |_| clear.run(())
                        >
                            {tr(Key::ClearSearch)}
                        </button>
                    </div>
                }
                .into_any();
            }
            view! {
                <OrganizationList
                    organizations=shown
                    building
                    on_leave=open
                    on_copy=copied
                    empty_message=empty
                    removal
                />
                <Show when=move || !complete.get()>
                    <p class="loading-more" aria-busy="true">
                        {t(Key::LoadingOrganizations)}
                    </p>
                </Show>
            }
            .into_any()
        }
    };
    // "Recently left": what was forgotten in this visit left out, each marked when the person
    // is in that organization again.
    let departures = load_departures();
    let recently_left = Memo::new(move |_| {
        let forgotten = departures.forgotten.read();
        departures.load.with(|load| match load {
            Some(Ok(list)) => list
                .iter()
                .filter(|d| !forgotten.contains(&d.id))
                .map(|d| {
                    let again = remaining.with(|r| r.iter().any(|o| o.id == d.organization_id));
                    (d.clone(), again)
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let recently = move || {
        view! {
            <RecentlyLeft
                departures=recently_left
                forgetting=departures.forgetting
                on_forget=Callback::new(move |d| departures.forget(&d))
            />
        }
    };
    let no_home = move || home.with(Option::is_none);
    // Reads the load without cloning it: only an error is copied out, and only a change of
    // state (loading, failed, shown) builds the page anew, not the rest of a list arriving.
    let state =
        Memo::new(move |_| orgs.with(|o| o.map(|r| r.as_ref().map(|_| ()).map_err(Clone::clone))));
    let body = move || match state.get() {
        None => view! { <LoadingCards label=Key::LoadingOrganizations count=3 /> }.into_any(),
        Some(Err(e)) => load_failed(&e, orgs),
        Some(Ok(())) => match home.get() {
            None => view! {
                {find}
                {list(Key::NoOrganizations)}
                {back_to_top()}
                {recently()}
            }
            .into_any(),
            Some(home) => {
                // The home card is written in the language of the moment: rebuilt when it changes.
                track();
                view! {
                    <section class="page-section" aria-labelledby="home-heading">
                        <h2 id="home-heading">{t(Key::HomeOrganization)}</h2>
                        <p class="section-intro">{t(Key::HomeIntro)}</p>
                        <HomeOrganizationCard org=home on_copy=copied />
                    </section>
                    <section class="page-section" aria-labelledby=OTHERS_HEADING_ID>
                        <h2 id=OTHERS_HEADING_ID tabindex="-1">
                            {t(Key::OthersHeading)}
                        </h2>
                        // "Leave any you no longer need" only above a list that has some.
                        <Show when=move || !remaining.with(Vec::is_empty)>
                            <p class="section-intro">{t(Key::OthersIntro)}</p>
                        </Show>
                        {find}
                        {list(Key::NoOtherOrganizations)}
                        {back_to_top()}
                    </section>
                    {recently()}
                }
                .into_any()
            }
        },
    };

    view! {
        <h1 class="page-title" id=move || no_home().then_some(OTHERS_HEADING_ID) tabindex="-1">
            {t(Key::Organizations)}
        </h1>
        {stale_note(orgs)}
        {body}
    }
}

/// `all`, built progressively when it is long: the first rows at once, then a chunk at a time,
/// each in a task of its own so the browser paints and answers input in between. Once every
/// row is there, changes (a leave, a search) show at once. While the list is not `complete`
/// (its first page shown early) its rows show as they are; the rest, when it comes, is added
/// the same way. The second signal is whether rows are still being added.
fn progressively(
    all: Memo<Vec<Arc<Organization>>>,
    complete: Signal<bool>,
) -> (Signal<Vec<Arc<Organization>>>, Signal<bool>) {
    let limit = RwSignal::new(usize::MAX);
    // How many rows were shown before the list was complete; `None` once it was.
    let early_rows = StoredValue::new(Some(0));
    Effect::new(move |_| {
        let len = all.with(Vec::len);
        let complete = complete.get();
        let Some(shown_before) = early_rows.get_value() else {
            return;
        };
        if !complete {
            early_rows.set_value(Some(len));
            return;
        }
        if len == 0 {
            return;
        }
        early_rows.set_value(None);
        if len <= PROGRESSIVE_FROM + shown_before {
            return;
        }
        limit.set(shown_before.max(FIRST_CHUNK));
        grow(limit, len);
    });
    let shown = Signal::derive(move || {
        let limit = limit.get();
        all.with(|all| {
            if limit >= all.len() {
                all.clone()
            } else {
                all[..limit].to_vec()
            }
        })
    });
    (
        shown,
        Signal::derive(move || limit.get() != usize::MAX || !complete.get()),
    )
}

fn grow(limit: RwSignal<usize>, len: usize) {
    set_timeout(
        move || {
            let Some(now) = limit.try_get_untracked() else {
                return;
            };
            if now >= len {
                limit.set(usize::MAX);
                return;
            }
            limit.set(now + CHUNK);
            grow(limit, len);
        },
        Duration::ZERO,
    );
}

/// At the end of a long list (CSS shows it from the sixth row on): back to the find box in one
/// step.
fn back_to_top() -> impl IntoView {
    view! {
        <p class="back-to-top">
            <a href="#main" on:click=go_to_top>
                {t(Key::BackToTop)}
            </a>
        </p>
    }
}

/// "Back to top": scrolls to the top and moves focus to the find box, where a person goes next
/// (the address keeps no `#main`).
fn go_to_top(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    window().scroll_to_with_x_and_y(0.0, 0.0);
    focus_search();
}

fn focus_search() {
    if let Some(input) = document().get_element_by_id("find-organizations") {
        use wasm_bindgen::JsCast;
        if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
            let _ = input.focus();
        }
    }
}

/// A keystroke that finds the very same rows (typing on within a match) changes nothing below:
/// comparing 10,000 pointers is cheap, re-diffing 10,000 rows is not.
fn same_rows_or_changed(
    old: Option<&Vec<Arc<Organization>>>,
    new: Option<&Vec<Arc<Organization>>>,
) -> bool {
    match (old, new) {
        (Some(old), Some(new)) => {
            old.len() != new.len() || !old.iter().zip(new).all(|(a, b)| Arc::ptr_eq(a, b))
        }
        _ => true,
    }
}

/// A list recomputed from a load or a leave is always news: comparing 10,000 organizations
/// field by field to find out would cost more than the update.
fn changed<T>(_: Option<&T>, _: Option<&T>) -> bool {
    true
}
