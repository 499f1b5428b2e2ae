// Links: the token and album travel in the URL fragment, so they never reach a server's logs.

/** The link's parameters, read from the fragment. */
export function linkParams() {
  return new URLSearchParams(location.hash.replace(/^#/, ''));
}

/** The app's URL for a token (and album), as shared with people. */
export function linkFor({ token, album, scope }) {
  const params = new URLSearchParams();
  if (album) params.set('album', album);
  if (scope) params.set('scope', scope);
  params.set('token', token);
  return `${location.origin}${location.pathname}#${params}`;
}
