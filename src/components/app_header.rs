use leptos::either::Either;
use leptos::prelude::*;

use super::icons::MenuIcon;
use super::routes::OVERVIEW;
use super::AccountMenu;
use crate::domain::{initials, Me};
use crate::i18n::{t, Key};

/// Who someone is at a glance: their initials, name and user name (the name isolated, as any
/// text from the service).
#[component]
pub fn PersonBadge(me: Me) -> impl IntoView {
    view! {
        <span class="avatar" aria-hidden="true">
            {initials(&me.display_name)}
        </span>
        <span class="person-text">
            <span class="person-name" dir="auto">
                {me.display_name}
            </span>
            <span class="person-upn" dir="auto">
                {me.user_principal_name}
            </span>
        </span>
    }
}

/// The 48 px bar: product name, the menu button on narrow screens, and who is signed in.
#[component]
pub fn AppHeader(
    /// The signed-in person; nothing is shown for them until (and unless) they load.
    #[prop(into)]
    me: Signal<Option<Me>>,
    /// Whether the navigation pane is open on narrow screens.
    nav_open: RwSignal<bool>,
    /// With sign-in: the person becomes the account menu, which offers this.
    #[prop(default = None)]
    on_sign_out: Option<Callback<()>>,
) -> impl IntoView {
    let person = move || {
        me.get().map(|me| match on_sign_out {
            Some(on_sign_out) => Either::Left(view! { <AccountMenu me on_sign_out /> }),
            None => Either::Right(view! {
                <div class="person">
                    <PersonBadge me />
                </div>
            }),
        })
    };
    view! {
        <header class="app-header">
            <button
                class="menu-button"
                aria-label=t(Key::Navigation)
                aria-controls="nav-pane"
                aria-expanded=move || nav_open.get().to_string()
                on:click=move |_| nav_open.update(|o| *o = !*o)
            >
                <MenuIcon />
            </button>
            <a class="brand" href=OVERVIEW>
                {t(Key::AppName)}
            </a>
            <span class="header-spacer"></span>
            {person}
        </header>
    }
}
