import { ArgsType, Extensions, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Type } from '@nestjs/common';
import { IsInt, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 500;

/** Marks a page type in the schema: its query cost counts the selection `limit` times. */
export const PAGE_EXTENSION = 'page';

/** The paging arguments every paginated list takes. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 0, description: 'How many items to skip.' })
  @IsInt()
  @Min(0)
  offset = 0;

  @Field(() => Int, {
    defaultValue: 50,
    description: `How many items to return (at most ${MAX_PAGE_SIZE}). The operation's cost counts the page's selection this many times.`,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit = 50;
}

export interface PageResult<T> {
  items: T[];
  totalCount: number;
  offset: number;
  limit: number;
}

export interface PageType<T> extends PageResult<T> {
  hasMore: boolean;
}

/** The one page shape of every paginated list: `{ items, totalCount, offset, limit, hasMore }`. */
export function Paginated<T>(itemType: Type<T>, name: string): Type<PageType<T>> {
  @ObjectType(name)
  @Extensions({ [PAGE_EXTENSION]: true })
  class Page implements PageType<T> {
    @Field(() => [itemType]) items: T[];
    @Field(() => Int) totalCount: number;
    @Field(() => Int) offset: number;
    @Field(() => Int) limit: number;
    @Field({ description: 'Whether items exist after this page.' }) hasMore: boolean;
  }
  return Page;
}

export function toPage<T, R = T>(result: PageResult<T>, map?: (item: T) => R): PageType<R> {
  return {
    items: map ? result.items.map(map) : (result.items as unknown as R[]),
    totalCount: result.totalCount,
    offset: result.offset,
    limit: result.limit,
    hasMore: result.offset + result.items.length < result.totalCount,
  };
}
