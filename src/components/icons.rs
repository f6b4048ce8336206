//! Icons (no icon font), decorative and hidden from assistive technology. Those repeated on
//! every row are one empty `<span>` drawn by CSS (`mask-image`, in the text colour) rather than
//! three or four SVG elements each: at 10,000 rows that is 50,000 elements fewer to build. The
//! one-off icons stay inline SVG.

use leptos::prelude::*;

#[component]
pub fn MenuIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path
                d="M2 4.5h16M2 10h16M2 15.5h16"
                stroke="currentColor"
                stroke-width="1.5"
                fill="none"
            />
        </svg>
    }
}

#[component]
pub fn CheckIcon() -> impl IntoView {
    view! { <span class="icon icon-check" aria-hidden="true"></span> }
}

#[component]
pub fn InfoIcon() -> impl IntoView {
    view! { <span class="icon icon-info" aria-hidden="true"></span> }
}

#[component]
pub fn SpinnerIcon() -> impl IntoView {
    view! {
        <svg class="icon spinner" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <circle
                cx="10"
                cy="10"
                r="7"
                stroke="currentColor"
                stroke-width="2"
                fill="none"
                stroke-dasharray="30 14"
            />
        </svg>
    }
}

/// Overview, in the navigation: a home.
#[component]
pub fn HomeIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path
                d="M3.5 9L10 3.5 16.5 9v7.5h-4.5v-4.5h-4v4.5H3.5z"
                stroke="currentColor"
                stroke-width="1.3"
                fill="none"
            />
        </svg>
    }
}

/// Organizations, in the navigation: buildings.
#[component]
pub fn BuildingIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path
                d="M3.5 16.5v-13h8v13M11.5 8h5v8.5M2 16.5h16M6 6.5h3M6 9.5h3M6 12.5h3M14 11h0.5M14 13.5h0.5"
                stroke="currentColor"
                stroke-width="1.3"
                fill="none"
            />
        </svg>
    }
}

/// In the find box: a magnifier.
#[component]
pub fn SearchIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path
                d="M8.5 3a5.5 5.5 0 1 1 0 11a5.5 5.5 0 0 1 0-11zM12.5 12.5l4.5 4.5"
                stroke="currentColor"
                stroke-width="1.4"
                fill="none"
            />
        </svg>
    }
}
