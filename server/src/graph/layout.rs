//! Places the graph top to bottom for the SVG writer: a recursive box layout of the block tree.
//! A stack puts its children one under the other (centred), a row side by side (top-aligned),
//! a cluster adds its padding and label around its content. Boxes never overlap by
//! construction, and every edge can turn in the gap just above the block it enters.

use super::model::{Block, Graph, NodeKind};

/// Width of one character of the 12 px monospace font, in tenths of a pixel.
const CHAR_W10: i32 = 73;
const NODE_H: i32 = 40;
const MARKER_H: i32 = 26;
const NODE_PAD_X: i32 = 10;
const MIN_NODE_W: i32 = 90;
/// Longer ids and types are cut (with `…`); the node's tooltip keeps them whole.
pub const MAX_NODE_W: i32 = 300;
pub const GAP_Y: i32 = 30;
const GAP_X: i32 = 16;
const CLUSTER_PAD: i32 = 10;
/// Room for the cluster's label above its content.
pub const CLUSTER_LABEL_H: i32 = 20;
pub const MARGIN: i32 = 12;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn center_x(&self) -> i32 {
        self.x + self.w / 2
    }

    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }
}

pub struct Layout {
    pub width: i32,
    pub height: i32,
    pub nodes: Vec<Rect>,
    pub clusters: Vec<Rect>,
    /// For each node, the stacks it sits in, outermost first: (stack number, child index).
    paths: Vec<Vec<(u32, u32)>>,
    /// For each stack (in placement order), the top of each child.
    stack_tops: Vec<Vec<i32>>,
}

/// How many characters fit in a width of `w` pixels.
pub fn chars_fitting(w: i32) -> usize {
    (w.max(0) * 10 / CHAR_W10) as usize
}

pub fn text_width(chars: usize) -> i32 {
    (chars as i32 * CHAR_W10 + 9) / 10
}

/// The width and height a node's box gets.
fn node_size(graph: &Graph, n: usize) -> (i32, i32) {
    let node = &graph.nodes[n];
    let longest = node
        .label
        .chars()
        .count()
        .max(node.detail().chars().count());
    // Even widths keep centres on whole pixels, so straight edges stay straight.
    let w = even((text_width(longest) + 2 * NODE_PAD_X).clamp(MIN_NODE_W, MAX_NODE_W));
    let h = match node.kind {
        NodeKind::Start | NodeKind::End => MARKER_H,
        NodeKind::Task | NodeKind::Trigger => NODE_H,
    };
    (w, h)
}

fn cluster_label_w(graph: &Graph, c: usize) -> i32 {
    even(text_width(graph.clusters[c].label.chars().count()).min(MAX_NODE_W))
}

fn even(w: i32) -> i32 {
    w + w % 2
}

/// Sizes of every block, computed once bottom-up, in the order [`place`] visits blocks.
struct Sizes<'g> {
    graph: &'g Graph,
    sizes: Vec<(i32, i32)>,
}

impl Sizes<'_> {
    /// Post-order: children first; returns the block's size.
    fn measure(&mut self, block: &Block) -> (i32, i32) {
        let size = match block {
            Block::Node(n) => node_size(self.graph, *n),
            Block::Stack(items) => {
                let sizes: Vec<_> = items.iter().map(|b| self.measure(b)).collect();
                let w = sizes.iter().map(|s| s.0).max().unwrap_or(0);
                let h = sizes.iter().map(|s| s.1).sum::<i32>()
                    + GAP_Y * (sizes.len() as i32 - 1).max(0);
                (w, h)
            }
            Block::Row(items) => {
                let sizes: Vec<_> = items.iter().map(|b| self.measure(b)).collect();
                let w = sizes.iter().map(|s| s.0).sum::<i32>()
                    + GAP_X * (sizes.len() as i32 - 1).max(0);
                let h = sizes.iter().map(|s| s.1).max().unwrap_or(0);
                (w, h)
            }
            Block::Cluster(c, inner) => {
                let (w, h) = self.measure(inner);
                // The label is indented and set in a font whose width varies by renderer.
                let w = w.max(cluster_label_w(self.graph, *c) + 12);
                (w + 2 * CLUSTER_PAD, h + CLUSTER_LABEL_H + CLUSTER_PAD)
            }
        };
        self.sizes.push(size);
        size
    }
}

struct Placer<'s> {
    /// Block sizes, indexed by each block's post-order number.
    sizes: &'s [(i32, i32)],
    layout: Layout,
    /// Stacks entered so far, outermost first.
    path: Vec<(u32, u32)>,
}

/// The number of blocks in a subtree (itself included).
fn count(block: &Block) -> usize {
    1 + match block {
        Block::Node(_) => 0,
        Block::Stack(items) | Block::Row(items) => items.iter().map(count).sum(),
        Block::Cluster(_, inner) => count(inner),
    }
}

impl Placer<'_> {
    /// Places `block` (whose post-order number is `post`) with its top-left corner at (x, y).
    fn place(&mut self, block: &Block, post: usize, x: i32, y: i32) {
        let (w, h) = self.sizes[post];
        match block {
            Block::Node(n) => self.layout.nodes[*n] = Rect { x, y, w, h },
            Block::Stack(items) => {
                let stack = self.layout.stack_tops.len() as u32;
                self.layout.stack_tops.push(Vec::with_capacity(items.len()));
                let posts = child_posts(items, post);
                let mut top = y;
                for (i, (item, p)) in items.iter().zip(posts).enumerate() {
                    let (cw, ch) = self.sizes[p];
                    self.layout.stack_tops[stack as usize].push(top);
                    self.path.push((stack, i as u32));
                    self.place(item, p, x + (w - cw) / 2, top);
                    self.path.pop();
                    top += ch + GAP_Y;
                }
            }
            Block::Row(items) => {
                let posts = child_posts(items, post);
                let mut left = x;
                for (item, p) in items.iter().zip(posts) {
                    self.place(item, p, left, y);
                    left += self.sizes[p].0 + GAP_X;
                }
            }
            Block::Cluster(c, inner) => {
                self.layout.clusters[*c] = Rect { x, y, w, h };
                let p = post - 1;
                let iw = self.sizes[p].0;
                let inner_x = x + CLUSTER_PAD + (w - 2 * CLUSTER_PAD - iw) / 2;
                self.place(inner, p, inner_x, y + CLUSTER_LABEL_H);
            }
        }
        if let Block::Node(n) = block {
            self.layout.paths[*n] = self.path.clone();
        }
    }
}

/// Post-order numbers of a list's children, given the parent's: the last child ends just
/// before the parent.
fn child_posts(items: &[Block], parent_post: usize) -> Vec<usize> {
    let mut posts = vec![0; items.len()];
    let mut end = parent_post;
    for (i, item) in items.iter().enumerate().rev() {
        posts[i] = end - 1;
        end -= count(item);
    }
    posts
}

pub fn layout(graph: &Graph) -> Layout {
    let mut sizes = Sizes {
        graph,
        sizes: Vec::new(),
    };
    let (w, h) = sizes.measure(&graph.root);
    let root_post = sizes.sizes.len() - 1;
    let mut placer = Placer {
        sizes: &sizes.sizes,
        layout: Layout {
            width: w + 2 * MARGIN,
            height: h + 2 * MARGIN,
            nodes: vec![Rect::default(); graph.nodes.len()],
            clusters: vec![Rect::default(); graph.clusters.len()],
            paths: vec![Vec::new(); graph.nodes.len()],
            stack_tops: Vec::new(),
        },
        path: Vec::new(),
    };
    placer.place(&graph.root, root_post, MARGIN, MARGIN);
    placer.layout
}

impl Layout {
    /// The y where an edge from `from` to `to` turns: in the gap above the block that holds
    /// `to`, inside the innermost stack holding both.
    pub fn turn_y(&self, from: usize, to: usize) -> i32 {
        let (a, b) = (&self.paths[from], &self.paths[to]);
        let fallback = self.nodes[to].y - GAP_Y / 2;
        for (pa, pb) in a.iter().zip(b) {
            if pa == pb {
                continue;
            }
            if pa.0 == pb.0 && pb.1 > pa.1 {
                return self.stack_tops[pb.0 as usize][pb.1 as usize] - GAP_Y / 2;
            }
            return fallback;
        }
        fallback
    }
}
