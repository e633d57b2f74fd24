/** The sql.js release tldrs is built and tested with; package.json depends on exactly this. */
export const SQLJS_VERSION = "1.17.0";
