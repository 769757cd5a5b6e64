//! Exclusive C14N checked against the W3C example and, byte for byte, against `xmlsec1`.

use super::c14n::{canonicalize, prefix_list};
use super::parse;
use super::testkit::{id_attr_args, path_arg, signer, xmlsec1, Scratch, RESPONSE};

/// What `xmlsec1` digests for the element with `ID="target"` after an exc-c14n transform with the
/// given PrefixList. The reference sits outside the target, so no enveloped transform is needed.
fn xmlsec_canonical(xml: &str, target_element: &str, prefixes: Option<&str>) -> String {
    let inclusive = prefixes.map_or(String::new(), |list| {
        format!(
            "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"{list}\"/>"
        )
    });
    let template = format!(
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
         <ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
         <ds:Reference URI=\"#target\"><ds:Transforms>\
         <ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">{inclusive}</ds:Transform>\
         </ds:Transforms><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\
         <ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>"
    );
    let root_end = xml.rfind("</").expect("the root element has an end tag");
    let document = format!("{}{template}{}", &xml[..root_end], &xml[root_end..]);

    let scratch = Scratch::new();
    let input = scratch.write("template.xml", &document);
    let key = scratch.write("key.pem", &signer().key_pem);
    let mut args = vec![
        "--sign".to_owned(),
        "--store-references".to_owned(),
        "--print-debug".to_owned(),
        "--privkey-pem".to_owned(),
        path_arg(&key),
        "--id-attr:ID".to_owned(),
        target_element.to_owned(),
        "--output".to_owned(),
        path_arg(&scratch.path("signed.xml")),
    ];
    args.extend(id_attr_args());
    args.push(path_arg(&input));
    let (ok, stdout, stderr) = xmlsec1(&args);
    assert!(ok, "xmlsec1 --sign failed: {stdout}{stderr}");
    let start = "== PreDigest data - start buffer:\n";
    let from = stdout
        .find(start)
        .expect("xmlsec1 printed the digested data")
        + start.len();
    let to = stdout[from..]
        .find("\n== PreDigest data - end buffer")
        .expect("end of the digested data");
    stdout[from..from + to].to_owned()
}

/// Our exc-c14n of the element with `ID="target"`.
fn ours(xml: &str, prefixes: Option<&str>) -> String {
    let doc = parse(xml).expect("test document parses");
    let target = doc
        .descendants()
        .find(|n| n.attribute("ID") == Some("target"))
        .expect("test document has a target");
    canonicalize(target, None, &prefix_list(prefixes.unwrap_or("")))
}

fn assert_matches_xmlsec(xml: &str, target_element: &str, prefixes: Option<&str>) {
    assert_eq!(
        ours(xml, prefixes),
        xmlsec_canonical(xml, target_element, prefixes)
    );
}

#[test]
fn the_w3c_exc_c14n_example_renders_only_visibly_used_namespaces() {
    // Exclusive XML Canonicalization 1.0 §2.2: the elem2 subtree, in exclusive form.
    let xml = "<n0:local xmlns:n0=\"foo:bar\" xmlns:n3=\"ftp://example.org\">\n  \
               <n1:elem2 ID=\"target\" xmlns:n1=\"http://example.net\" xml:lang=\"en\">\n    \
               <n3:stuff xmlns:n3=\"ftp://example.org\"/>\n  </n1:elem2>\n</n0:local>";
    assert_eq!(
        ours(xml, None),
        "<n1:elem2 xmlns:n1=\"http://example.net\" ID=\"target\" xml:lang=\"en\">\n    \
         <n3:stuff xmlns:n3=\"ftp://example.org\"></n3:stuff>\n  </n1:elem2>"
    );
    assert_matches_xmlsec(xml, "http://example.net:elem2", None);
}

#[test]
fn namespaces_declared_on_ancestors_are_rendered_at_the_apex_where_used() {
    let xml = "<root xmlns=\"urn:default\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:unused=\"urn:u\">\
               <a:target ID=\"target\" b:attr=\"1\" plain=\"2\"><child xmlns:a=\"urn:a\">\
               <a:grandchild xmlns:c=\"urn:c\" c:x=\"y\"/></child><b:other/>\
               <reset xmlns=\"\"><deeper/></reset><a:rebound xmlns:a=\"urn:other-a\"/></a:target></root>";
    assert_matches_xmlsec(xml, "urn:a:target", None);
}

#[test]
fn attributes_are_sorted_by_namespace_uri_then_local_name() {
    let xml = "<root><t ID=\"target\" z=\"1\" a=\"2\" xmlns:b=\"urn:b\" xmlns:y=\"urn:a\" \
               b:z=\"3\" y:z=\"4\" y:a=\"5\" xmlns:unused=\"urn:0\" xmlns=\"urn:default\"/></root>";
    assert_matches_xmlsec(xml, "urn:default:t", None);
}

#[test]
fn text_and_attribute_values_are_escaped_as_canonical_xml_requires() {
    let xml = "<root><t ID=\"target\" v=\"tab&#x9;nl&#xA;cr&#xD;q&quot;lt&lt;gt>amp&amp;apos'\" \
               w='spaces\tand\nnewlines'>a &amp; b &lt; c &gt; d \"e\" 'f' cr&#xD; crlf\r\n\
               <![CDATA[<cdata> & ]]]]><!-- dropped --><?pi  data ?><?bare?>\n  <e/>\t</t></root>";
    assert_matches_xmlsec(xml, "t", None);
}

#[test]
fn an_inclusive_prefix_list_keeps_namespaces_used_only_in_attribute_values() {
    let xml = "<root xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" \
               xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"urn:d\">\
               <v ID=\"target\" xsi:type=\"xs:string\"><w xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">x</w></v></root>";
    assert_matches_xmlsec(xml, "urn:d:v", Some("xs #default"));
    assert_matches_xmlsec(xml, "urn:d:v", Some("xs"));
    assert_matches_xmlsec(xml, "urn:d:v", None);
}

#[test]
fn an_empty_default_namespace_is_declared_only_when_an_output_ancestor_set_one() {
    let xml = "<root xmlns=\"urn:d\"><t ID=\"target\"><a xmlns=\"\"><b xmlns=\"urn:d\">\
               <c xmlns=\"\"/></b></a></t></root>";
    assert_matches_xmlsec(xml, "urn:d:t", None);
    let unqualified =
        "<root xmlns=\"urn:d\"><x:t xmlns:x=\"urn:x\" ID=\"target\"><a xmlns=\"\"/></x:t></root>";
    assert_matches_xmlsec(unqualified, "urn:x:t", None);
}

#[test]
fn xml_attributes_are_kept_but_not_inherited_and_the_xml_prefix_is_never_declared() {
    let xml = "<root xml:lang=\"fr\" xml:space=\"preserve\"><t ID=\"target\" xml:lang=\"en\">\
               <u xml:space=\"default\"/></t></root>";
    assert_matches_xmlsec(xml, "t", None);
}

#[test]
fn two_prefixes_for_one_namespace_keep_their_own_spelling() {
    let xml = "<root xmlns:p=\"urn:same\" xmlns:q=\"urn:same\"><p:t ID=\"target\"><q:u q:a=\"1\"/>\
               <p:u/></p:t></root>";
    assert_matches_xmlsec(xml, "urn:same:t", None);
}

#[test]
fn a_saml_assertion_inside_a_response_is_canonicalized_like_xmlsec1_does() {
    let xml = RESPONSE.replace("ID=\"_assertion-1\"", "ID=\"target\"");
    let xml = xml.trim_start_matches(|c| c != '\n').trim_start();
    assert_matches_xmlsec(
        xml,
        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        Some("xs"),
    );
}

#[test]
fn the_omitted_element_and_its_subtree_are_left_out() {
    let doc = parse("<r xmlns:a=\"urn:a\"><x/><a:sig><y/></a:sig><z/></r>").unwrap();
    let sig = doc
        .descendants()
        .find(|n| n.tag_name().name() == "sig")
        .unwrap();
    assert_eq!(
        canonicalize(doc.root_element(), Some(sig), &[]),
        "<r><x></x><z></z></r>"
    );
}
