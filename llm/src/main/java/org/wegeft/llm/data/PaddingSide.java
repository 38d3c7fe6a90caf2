package org.wegeft.llm.data;

/** Where padding goes: right for training and scoring, left for batched generation. */
public enum PaddingSide {
    RIGHT,
    LEFT
}
