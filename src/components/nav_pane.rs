use leptos::prelude::*;

use super::icons::MaskIcon;
use super::routes::{use_location, ORGANIZATIONS, OVERVIEW};
use crate::i18n::{t, Key};

/// The left navigation: Overview and Organizations, each with its icon, the current one marked for everyone
/// (`aria-current="page"`, accent bar, bold). Collapses behind the header's menu button below
/// 768 px.
#[component]
pub fn NavPane(
    /// Open on narrow screens; closes again once the person picks a page.
    open: RwSignal<bool>,
) -> impl IntoView {
    let location = use_location();
    let current = move |path: &'static str| move || (location.path() == path).then_some("page");
    view! {
        <nav
            id="nav-pane"
            class="nav-pane"
            class:open=move || open.get()
            aria-label=t(Key::AppName)
        >
            <ul>
                <li>
                    <a
                        href=OVERVIEW
                        aria-current=current(OVERVIEW)
                        on:click=move |_| open.set(false)
                    >
                        <MaskIcon name="icon icon-home" />
                        {t(Key::Overview)}
                    </a>
                </li>
                <li>
                    <a
                        href=ORGANIZATIONS
                        aria-current=current(ORGANIZATIONS)
                        on:click=move |_| open.set(false)
                    >
                        <MaskIcon name="icon icon-buildings" />
                        {t(Key::Organizations)}
                    </a>
                </li>
            </ul>
        </nav>
    }
}
