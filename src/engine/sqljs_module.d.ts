// The browser build of sql.js has no `fs`/`path` references, so it loads unchanged in
// Node, Deno and Bun when given the wasm bytes. Its types are those of "sql.js".
declare module "sql.js/dist/sql-wasm-browser.js" {
  import initSqlJs from "sql.js";
  export default initSqlJs;
}
