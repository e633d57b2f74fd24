/** The Sql interface (sql.ts) over a sql.js Database: statements hold WASM memory until finish() frees them. */
import { CachingSql, type OwnedStatement, type SqlParams, type SqlValue } from "./sql.ts";
import type { Database } from "./sqljs.ts";

type Prepared = ReturnType<Database["prepare"]>;

export class SqlJsSql extends CachingSql {
  constructor(private readonly db: Database) {
    super();
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  protected prepareNew(sql: string): OwnedStatement {
    return new SqlJsStatement(this.db, this.db.prepare(sql));
  }
}

class SqlJsStatement implements OwnedStatement {
  constructor(
    private readonly db: Database,
    private readonly stmt: Prepared,
  ) {}

  run(params?: SqlParams): number {
    this.stmt.run(params ? [...params] : undefined);
    return this.db.getRowsModified();
  }

  all(params?: SqlParams): SqlValue[][] {
    const rows: SqlValue[][] = [];
    try {
      if (params) this.stmt.bind([...params]);
      while (this.stmt.step()) rows.push(this.stmt.get() as SqlValue[]);
    } finally {
      this.stmt.reset();
    }
    return rows;
  }

  get(params?: SqlParams): SqlValue[] | undefined {
    try {
      if (params) this.stmt.bind([...params]);
      return this.stmt.step() ? (this.stmt.get() as SqlValue[]) : undefined;
    } finally {
      this.stmt.reset();
    }
  }

  finalize(): void {
    this.stmt.free();
  }
}
