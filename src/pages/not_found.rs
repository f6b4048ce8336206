use leptos::prelude::*;

use super::set_title;
use crate::components::routes::{ORGANIZATIONS, OVERVIEW};
use crate::domain::i18n::{pieces, Piece};
use crate::i18n::{t, template_of, tr, Key};

/// Any path the app doesn't know: says so, and offers a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_title(Key::NotFoundTitle);
    // "Go to Overview or see your organizations.": the links where the language puts them.
    let links = move || {
        let template = template_of(Key::NotFoundLinks);
        pieces(&template)
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.to_string().into_any(),
                Piece::Slot("overview") => {
                    view! { <a href=OVERVIEW>{tr(Key::GoToOverview)}</a> }.into_any()
                }
                Piece::Slot("organizations") => {
                    view! { <a href=ORGANIZATIONS>{tr(Key::SeeYourOrganizations)}</a> }.into_any()
                }
                Piece::Slot(_) => ().into_any(),
            })
            .collect_view()
    };
    view! {
        <h1 class="page-title">{t(Key::NotFoundTitle)}</h1>
        <div class="card not-found">
            <p>{t(Key::NotFoundText)}</p>
            <p>{links}</p>
        </div>
    }
}
