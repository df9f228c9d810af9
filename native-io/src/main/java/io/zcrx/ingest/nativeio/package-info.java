/**
 * The one libc binding of the project: {@link LibC} (JNA direct mapping, C results), {@link Sys}
 * (the same calls returning {@code -errno}), {@link Errno} (values and names for messages) and the
 * native layouts the calls take. No other package declares native methods or registers a library, so replacing JNA
 * changes this package only. Depends on nothing of ours; no threads; every class is stateless.
 */
package io.zcrx.ingest.nativeio;
