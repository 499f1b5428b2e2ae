// The Albums API client: every call carries the token as `Authorization: Bearer`, every body its
// SHA-256 in `x-amz-content-sha256` (CloudFront's origin access control to a Function URL needs it),
// and every refusal becomes an ApiError with the server's `{"error","code"}`.

/** A refused or failed API call: `status` 0 means the server was not reached. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `Request failed (${status})`);
    this.status = status;
    this.code = code || '';
  }
}

/** Hex SHA-256 of a body (string, Blob or ArrayBuffer). */
async function sha256Hex(body) {
  let bytes;
  if (body === undefined || body === null) bytes = new Uint8Array();
  else if (typeof body === 'string') bytes = new TextEncoder().encode(body);
  else if (body instanceof Blob) bytes = new Uint8Array(await body.arrayBuffer());
  else bytes = new Uint8Array(body);
  if (!crypto.subtle) return 'UNSIGNED-PAYLOAD';
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** One API session: a token and the base path of the API. */
export class Api {
  constructor(token, base = 'api') {
    this.token = token;
    this.base = new URL(base.endsWith('/') ? base : base + '/', document.baseURI);
  }

  /** Calls `path` (relative to /api/) and returns the parsed JSON (or null for 204). */
  async call(path, { method = 'GET', json, body, contentType, accept = 'application/json' } = {}) {
    const headers = { Accept: accept };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload = body;
    if (json !== undefined) {
      payload = JSON.stringify(json);
      contentType = 'application/json';
    }
    if (payload !== undefined) {
      headers['Content-Type'] = contentType || 'application/octet-stream';
      headers['x-amz-content-sha256'] = await sha256Hex(payload);
    }
    let response;
    try {
      response = await fetch(new URL(path, this.base), { method, headers, body: payload, cache: 'no-store' });
    } catch (error) {
      throw new ApiError(0, 'Network', 'Could not reach the server. Check your connection and try again.');
    }
    if (!response.ok) {
      let code = '';
      let message = '';
      try {
        const problem = await response.json();
        code = problem.code || '';
        message = problem.error || '';
      } catch {}
      throw new ApiError(response.status, code, message);
    }
    if (response.status === 204) return null;
    if (accept !== 'application/json') return response.blob();
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  albums() { return this.call('albums'); }
  createAlbum(name) { return this.call('albums', { method: 'POST', json: { name } }); }
  album(id) { return this.call(`albums/${enc(id)}`); }
  renameAlbum(id, name) { return this.call(`albums/${enc(id)}`, { method: 'PATCH', json: { name } }); }
  photos(id, cursor, limit = 60) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.call(`albums/${enc(id)}/photos?${query}`);
  }
  photo(id, photoId) { return this.call(`albums/${enc(id)}/photos/${enc(photoId)}`); }
  deletePhoto(id, photoId) { return this.call(`albums/${enc(id)}/photos/${enc(photoId)}`, { method: 'DELETE' }); }
  convert(id, photoId, params) {
    return this.call(`albums/${enc(id)}/photos/${enc(photoId)}/convert?${new URLSearchParams(params)}`, { accept: 'image/*' });
  }
  shares(id) { return this.call(`albums/${enc(id)}/shares`); }
  createShare(id, scope, expiresInDays) {
    return this.call(`albums/${enc(id)}/shares`, { method: 'POST', json: { scope, expiresInDays } });
  }
  revokeShare(id, shareId) { return this.call(`albums/${enc(id)}/shares/${enc(shareId)}`, { method: 'DELETE' }); }
  uploadForms(id, files) {
    return this.call(`albums/${enc(id)}/uploads`, {
      method: 'POST',
      json: { files: files.map((f) => ({ name: f.name, size: f.size, contentType: f.type })) },
    });
  }
  /** Find me with a selfie (raw image body); `zip` also packs every match into one ZIP. */
  find(id, selfie, { zip = false } = {}) {
    return this.call(`albums/${enc(id)}/find${zip ? '?zip=true' : ''}`, { method: 'POST', body: selfie, contentType: selfie.type || 'image/jpeg' });
  }
  people(id, { hidden = false } = {}) { return this.call(`albums/${enc(id)}/people${hidden ? '?hidden=true' : ''}`); }
  /** Names (a string, or null to forget the name) and/or hides a person. */
  updatePerson(id, personId, changes) { return this.call(`albums/${enc(id)}/people/${enc(personId)}`, { method: 'PATCH', json: changes }); }
  mergePerson(id, personId, into) {
    return this.call(`albums/${enc(id)}/people/${enc(personId)}/merge`, { method: 'POST', json: { into } });
  }
  personPhotos(id, personId, cursor, limit = 60) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.call(`albums/${enc(id)}/people/${enc(personId)}/photos?${query}`);
  }
  zip(id, photoIds) { return this.call(`albums/${enc(id)}/zip`, { method: 'POST', json: { photoIds } }); }
}

function enc(part) { return encodeURIComponent(part); }

/** A sentence a person understands for any error of the API, the network or an upload. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'NoFace': return 'We could not find a face in that photo. Try a well-lit photo of your face, looking at the camera.';
    case 'MultipleFaces': return 'That photo shows more than one face. Take a selfie with only you in it.';
    case 'TooLarge': case 'EntityTooLarge': case 'PayloadTooLarge': return 'That file is too big.';
    case 'NotAnImage': case 'UnsupportedMediaType': case 'UnsupportedType':
      return 'That file is not a photo we can read. Use JPEG, PNG, WebP or HEIC.';
    case 'Network': return error.message;
  }
  switch (error.status) {
    case 401: return 'This link has expired or was revoked. Ask the album owner for a new link.';
    case 403: return 'This link does not allow that.';
    case 404: return 'That album or photo does not exist (or this link does not reach it).';
    case 413: return 'That file is too big.';
    case 415: return 'That file is not a photo we can read. Use JPEG, PNG, WebP or HEIC.';
    case 429: return 'Too many requests right now. Wait a moment and try again.';
  }
  if (error.status >= 500) return 'The server had a problem. Please try again in a moment.';
  return error.message || 'That did not work. Please try again.';
}

/** The URL string of a thumbnail or original, whether the API sends a string or `{url}`. */
export function urlOf(value) {
  if (!value) return '';
  return typeof value === 'string' ? value : value.url || '';
}
