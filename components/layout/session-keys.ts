/** sessionStorage keys of the session keeper (tiny on purpose: the login form imports it). */
export const DRAFT_PREFIX = "omc-draft:";
/** Set by the login form when the admin submits it: drafts older than this survived a sign-in. */
export const SIGNIN_AT_KEY = "omc-signin-at";
