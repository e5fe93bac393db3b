//! Marching squares: contour lines of a gridded field at one level, joined into polylines.

use std::collections::HashMap;

/// One contour polyline in data coordinates (closed when first == last).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContourLine {
    pub points: Vec<(f64, f64)>,
}

/// A cell edge: horizontal (from grid point (ix, iy) to (ix + 1, iy)) or vertical (to (ix, iy + 1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Edge {
    H(usize, usize),
    V(usize, usize),
}

/// Contour lines of `z` (`z[iy][ix]` at `(x[ix], y[iy])`) at `level`. Points are interpolated
/// linearly along cell edges; cells with a non-finite corner are skipped; saddles are resolved
/// by the cell's mean.
pub(crate) fn contour_lines(x: &[f64], y: &[f64], z: &[Vec<f64>], level: f64) -> Vec<ContourLine> {
    let (nx, ny) = (x.len(), y.len());
    if nx < 2 || ny < 2 || z.len() != ny || z.iter().any(|r| r.len() != nx) {
        return vec![];
    }
    let point = |e: Edge| -> (f64, f64) {
        let (p, q) = match e {
            Edge::H(i, j) => ((i, j), (i + 1, j)),
            Edge::V(i, j) => ((i, j), (i, j + 1)),
        };
        let (zp, zq) = (z[p.1][p.0], z[q.1][q.0]);
        let t = if zq == zp {
            0.5
        } else {
            ((level - zp) / (zq - zp)).clamp(0.0, 1.0)
        };
        (
            x[p.0] + t * (x[q.0] - x[p.0]),
            y[p.1] + t * (y[q.1] - y[p.1]),
        )
    };
    let mut segs: Vec<(Edge, Edge)> = vec![];
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let (a, b, c, d) = (z[j][i], z[j][i + 1], z[j + 1][i + 1], z[j + 1][i]);
            if ![a, b, c, d].iter().all(|v| v.is_finite()) {
                continue;
            }
            let bit = |v: f64, k: u8| if v >= level { k } else { 0 };
            let case = bit(a, 1) | bit(b, 2) | bit(c, 4) | bit(d, 8);
            let (bottom, right, top, left) = (
                Edge::H(i, j),
                Edge::V(i + 1, j),
                Edge::H(i, j + 1),
                Edge::V(i, j),
            );
            let centre_above = (a + b + c + d) / 4.0 >= level;
            match case {
                1 | 14 => segs.push((left, bottom)),
                2 | 13 => segs.push((bottom, right)),
                3 | 12 => segs.push((left, right)),
                4 | 11 => segs.push((right, top)),
                6 | 9 => segs.push((bottom, top)),
                7 | 8 => segs.push((left, top)),
                5 => {
                    if centre_above {
                        segs.push((bottom, right));
                        segs.push((left, top));
                    } else {
                        segs.push((left, bottom));
                        segs.push((right, top));
                    }
                }
                10 => {
                    if centre_above {
                        segs.push((left, bottom));
                        segs.push((right, top));
                    } else {
                        segs.push((bottom, right));
                        segs.push((left, top));
                    }
                }
                _ => {}
            }
        }
    }
    chain(&segs)
        .into_iter()
        .map(|edges| ContourLine {
            points: edges.into_iter().map(point).collect(),
        })
        .collect()
}

/// Joins segments that share an edge into polylines of edges.
fn chain(segs: &[(Edge, Edge)]) -> Vec<Vec<Edge>> {
    let mut at: HashMap<Edge, Vec<usize>> = HashMap::new();
    for (k, (a, b)) in segs.iter().enumerate() {
        at.entry(*a).or_default().push(k);
        at.entry(*b).or_default().push(k);
    }
    let mut used = vec![false; segs.len()];
    let mut lines = vec![];
    for start in 0..segs.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut line = vec![segs[start].0, segs[start].1];
        // Grow forward from the end, then backward from the start.
        for dir in 0..2 {
            loop {
                let tip = if dir == 0 {
                    line[line.len() - 1]
                } else {
                    line[0]
                };
                let next = at
                    .get(&tip)
                    .and_then(|v| v.iter().copied().find(|k| !used[*k]));
                let Some(k) = next else { break };
                used[k] = true;
                let (a, b) = segs[k];
                let other = if a == tip { b } else { a };
                if dir == 0 {
                    line.push(other);
                } else {
                    line.insert(0, other);
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plane_gives_one_straight_line() {
        // z = x: the 1.5 contour is the vertical line x = 1.5.
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [0.0, 1.0, 2.0];
        let z: Vec<Vec<f64>> = y.iter().map(|_| x.to_vec()).collect();
        let lines = contour_lines(&x, &y, &z, 1.5);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].points.len(), 3);
        assert!(lines[0].points.iter().all(|p| (p.0 - 1.5).abs() < 1e-12));
    }

    #[test]
    fn bump_gives_a_closed_ring() {
        let g: Vec<f64> = (0..5).map(|i| i as f64).collect();
        let z: Vec<Vec<f64>> = g
            .iter()
            .map(|y| {
                g.iter()
                    .map(|x| 4.0 - ((x - 2.0).powi(2) + (y - 2.0).powi(2)))
                    .collect()
            })
            .collect();
        let lines = contour_lines(&g, &g, &z, 2.5);
        assert_eq!(lines.len(), 1);
        let p = &lines[0].points;
        assert_eq!(p.first(), p.last(), "ring is closed");
        for (x, y) in p {
            let r = ((x - 2.0).powi(2) + (y - 2.0).powi(2)).sqrt();
            assert!(r > 0.9 && r < 1.5, "radius {r}");
        }
    }

    #[test]
    fn no_crossing_no_line_and_nan_cells_skipped() {
        let x = [0.0, 1.0];
        let y = [0.0, 1.0];
        assert!(contour_lines(&x, &y, &[vec![1.0, 1.0], vec![1.0, 1.0]], 2.0).is_empty());
        assert!(contour_lines(&x, &y, &[vec![1.0, f64::NAN], vec![3.0, 3.0]], 2.0).is_empty());
    }
}
