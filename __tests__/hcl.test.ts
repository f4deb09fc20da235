import { renderString, splitTemplate, terraformJsonToHcl } from "../src/terraform/hcl";

describe("Terraform JSON to HCL", () => {
  it("splits templates, keeping nested braces and strings inside an interpolation", () => {
    expect(splitTemplate('a${x["}"]}b$${c}')).toEqual([{ literal: "a" }, { expression: 'x["}"]' }, { literal: "b$${c}" }]);
  });

  it("writes a lone interpolation bare, escapes literal quotes and uses a heredoc for several lines", () => {
    expect(renderString("${var.region}", "")).toBe("var.region");
    expect(renderString('say "hi" ${var.x}', "")).toBe('"say \\"hi\\" ${var.x}"');
    expect(renderString("a\nb ${var.x}\n", "")).toBe("<<-EOT\n  a\n  b ${var.x}\n  EOT");
  });

  it("renders blocks, map attributes, bare references and checkov skips", () => {
    const hcl = terraformJsonToHcl(
      {
        variable: { n: { type: "number", default: 1, validation: [{ condition: "${var.n > 0}", error_message: "n" }] } },
        resource: {
          aws_thing: {
            a: {
              "//": { metadata: {} },
              tags: { "managed-by": "me" },
              nested: { on: true },
              list: [{ x: 1 }, { x: 2 }],
              depends_on: ["aws_other.b"],
              lifecycle: { ignore_changes: ["desired_count"] },
            },
          },
        },
      },
      new Map([["aws_thing.a", [{ id: "CKV_X_1", reason: "why" }]]]),
    );
    expect(hcl).toContain('variable "n" {\n  type    = number\n  default = 1\n\n  validation {\n    condition     = var.n > 0');
    expect(hcl).toContain('resource "aws_thing" "a" {\n  #checkov:skip=CKV_X_1:why\n');
    // As terraform fmt aligns: a bracketed multi-line value stands alone, so nothing is padded here.
    expect(hcl).toContain('  tags = {\n    managed-by = "me"\n  }\n  depends_on = [aws_other.b]\n');
    expect(hcl).toContain("  nested {\n    on = true\n  }\n  list {\n    x = 1\n  }\n  list {\n    x = 2\n  }");
    expect(hcl).toContain("ignore_changes = [desired_count]");
    expect(hcl).not.toContain("metadata");
  });

  test("aligns a run of one-line attributes and heredocs, and spaces one-line object braces, as terraform fmt does", () => {
    const hcl = terraformJsonToHcl({
      resource: {
        aws_thing: {
          a: {
            name: "x",
            user_data: "line one\nline two\n",
            description: '${jsonencode({"a" = [{"b" = 1}], "c" = "${var.d}"})}',
            tags: { a: "1", long_key: "2" },
            z: 1,
          },
        },
      },
    });
    expect(hcl).toContain('  name        = "x"\n  user_data   = <<-EOT\n');
    expect(hcl).toContain('  description = jsonencode({ "a" = [{ "b" = 1 }], "c" = "${var.d}" })\n');
    expect(hcl).toContain('  tags = {\n    a        = "1"\n    long_key = "2"\n  }\n  z = 1\n');
  });
});
