/*!
 * Object and folder names from the wire are hostile input. A name a server stores or serves is
 * one plain path component: not empty, not "." or "..", no "/" or "\\", no NUL or other control
 * character, no drive prefix ("C:"), at most {@link MAX_NAME_LENGTH} characters.
 */
export const MAX_NAME_LENGTH = 255

/** Why `name` is not a safe single component, or undefined when it is. */
export function unsafeName (name: string): string | undefined {
  if (name === '') return 'an empty name'
  if (name.length > MAX_NAME_LENGTH) return `a name of ${name.length} characters (at most ${MAX_NAME_LENGTH})`
  if (name === '.' || name === '..') return `the name ${JSON.stringify(name)}`
  if (/[/\\]/.test(name)) return `a name with a path separator: ${JSON.stringify(name)}`
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `a name with a control character: ${JSON.stringify(name)}`
  if (/^[a-zA-Z]:/.test(name)) return `a name with a drive prefix: ${JSON.stringify(name)}`
  return undefined
}
