/*
 * Intrusive circular doubly-linked list. An unlinked node points to itself,
 * so rt_list_linked() answers "is it in some list" without another flag.
 */
#ifndef RT_LIST_H
#define RT_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct rt_list {
	struct rt_list *next, *prev;
};

#define rt_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void rt_list_init(struct rt_list *l)
{
	l->next = l->prev = l;
}

static inline bool rt_list_empty(const struct rt_list *head)
{
	return head->next == head;
}

static inline bool rt_list_linked(const struct rt_list *node)
{
	return node->next != node;
}

/* Links `node` just before `pos` (at the tail when `pos` is the head). */
static inline void rt_list_insert_before(struct rt_list *pos, struct rt_list *node)
{
	node->prev = pos->prev;
	node->next = pos;
	pos->prev->next = node;
	pos->prev = node;
}

static inline void rt_list_add_tail(struct rt_list *head, struct rt_list *node)
{
	rt_list_insert_before(head, node);
}

static inline void rt_list_add_head(struct rt_list *head, struct rt_list *node)
{
	rt_list_insert_before(head->next, node);
}

static inline void rt_list_del(struct rt_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node->prev = node;
}

#define rt_list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#endif
