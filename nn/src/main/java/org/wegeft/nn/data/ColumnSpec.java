package org.wegeft.nn.data;

/** A column to load from an Arrow or Parquet file: its name and the kind of values it must hold. */
public record ColumnSpec(String name, ColumnKind kind) {
    public static ColumnSpec image(String name) {
        return new ColumnSpec(name, ColumnKind.IMAGE);
    }

    public static ColumnSpec integer(String name) {
        return new ColumnSpec(name, ColumnKind.INTEGER);
    }

    public static ColumnSpec string(String name) {
        return new ColumnSpec(name, ColumnKind.STRING);
    }

    public static ColumnSpec messages(String name) {
        return new ColumnSpec(name, ColumnKind.MESSAGES);
    }
}
