/** The Sql interface (sql.ts) over a connection of the runtime's own SQLite (platform port). */
import type { NativeConnection, NativeStatement } from "../platform/port.ts";
import { CachingSql, type OwnedStatement, type SqlParams, type SqlValue } from "./sql.ts";

const NO_PARAMS: SqlParams = [];

export class NativeSql extends CachingSql {
  constructor(private readonly conn: NativeConnection) {
    super();
  }

  exec(sql: string): void {
    this.conn.exec(sql);
  }

  protected prepareNew(sql: string): OwnedStatement {
    const stmt: NativeStatement = this.conn.prepare(sql);
    return {
      run: (params) => stmt.run(params ?? NO_PARAMS),
      all: (params) => stmt.all(params ?? NO_PARAMS) as SqlValue[][],
      get: (params) => stmt.all(params ?? NO_PARAMS)[0] as SqlValue[] | undefined,
      finalize: () => stmt.finalize(),
    };
  }
}
